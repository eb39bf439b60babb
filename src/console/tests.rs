//! The console state's unit tests: navigation, prompts, filters, selection by identity.

use super::selection::Resolved;
use super::state::*;
use crate::actions::Request;
use crate::console::selection::resolve_ids;
use crate::keymap::{Action, Layer};
use crate::model::ServiceKey;

/// What the view draws for `ui`: a board of `board` (in that order), a tasks pane of a
/// header and one task, three rows in every other pane; then the selections settle.
fn draw(ui: &mut UiState, board: &[&str]) -> Visible {
    let keys: Vec<ServiceKey> = board.iter().map(|s| ServiceKey::new("prod", *s)).collect();
    let b = resolve_ids(&ui.board, &keys, 10);
    let mut panes: [Resolved<String>; PANES] = Default::default();
    for (i, r) in panes.iter_mut().enumerate() {
        let ids: Vec<String> = if i == Pane::Tasks.index() {
            vec!["#0".into(), "arn:task/1".into()]
        } else {
            (0..3).map(|n| format!("row{n}")).collect()
        };
        *r = resolve_ids(&ui.panes[i], &ids, 10);
    }
    let v = Visible {
        board_selected: b.id().cloned(),
        board: b,
        panes,
        page: 10,
        task_rows: vec![None, Some("arn:task/1".into())],
        ..Default::default()
    };
    ui.settle(&v);
    v
}

fn vis(n: usize) -> Visible {
    let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    draw(&mut UiState::default(), &names)
}

#[test]
fn board_navigation_open_and_back() {
    let mut ui = UiState::default();
    let board = ["s0", "s1", "s2"];
    for _ in 0..3 {
        let v = draw(&mut ui, &board);
        ui.apply(Action::Down, &v);
    }
    let v = draw(&mut ui, &board);
    assert_eq!(ui.board.at, 2);
    assert_eq!(ui.board.id, Some(ServiceKey::new("prod", "s2")));
    assert_eq!(ui.apply(Action::Open, &v), Effect::Replan);
    assert_eq!(ui.view(), &View::Service(ServiceKey::new("prod", "s2")));
    assert_eq!(ui.focus(), Some(ServiceKey::new("prod", "s2")));
    // enter in the service view goes to the tasks pane, then opens the selected task
    let v = draw(&mut ui, &board);
    assert_eq!(ui.apply(Action::Open, &v), Effect::None);
    assert_eq!(ui.pane, Pane::Tasks);
    let v = draw(&mut ui, &board);
    ui.apply(Action::Down, &v);
    let v = draw(&mut ui, &board);
    ui.apply(Action::Open, &v);
    assert!(matches!(ui.view(), View::Task(_, arn) if arn == "arn:task/1"));
    ui.apply(Action::Back, &v);
    assert_eq!(ui.apply(Action::Back, &v), Effect::Replan);
    assert_eq!(ui.view(), &View::Board);
}

#[test]
fn help_swallows_keys_until_closed() {
    let mut ui = UiState::default();
    let v = vis(3);
    ui.apply(Action::Help, &v);
    assert_eq!(ui.layer(), Layer::Help);
    ui.apply(Action::Down, &v);
    assert_eq!(ui.board.at, 0);
    ui.apply(Action::Back, &v);
    assert!(!ui.help);
}

#[test]
fn filter_editing() {
    let mut ui = UiState::default();
    ui.apply(Action::Filter, &vis(3));
    assert!(ui.edit(Some('c'), false, false, false));
    ui.edit(Some('h'), false, false, false);
    ui.edit(None, true, false, false);
    assert_eq!(ui.board_filter, "c");
    ui.edit(None, false, true, false);
    assert_eq!(ui.editing, None);
    assert!(!ui.edit(Some('x'), false, false, false));
}

#[test]
fn the_board_re_sorts_under_the_selection_and_enter_opens_it() {
    let mut ui = UiState::default();
    let v = draw(&mut ui, &["search-api", "checkout-api", "cart"]);
    ui.apply(Action::Down, &v);
    draw(&mut ui, &["search-api", "checkout-api", "cart"]);
    // checkout-api starts rolling back: worst first, it is on top now
    let v = draw(&mut ui, &["checkout-api", "search-api", "cart"]);
    assert_eq!(v.board.index, Some(0));
    assert_eq!(ui.apply(Action::Open, &v), Effect::Replan);
    assert_eq!(
        ui.view(),
        &View::Service(ServiceKey::new("prod", "checkout-api"))
    );
}

#[test]
fn a_write_acts_on_the_service_drawn_under_the_selection() {
    let mut ui = UiState {
        writes: Writes::Allowed,
        ..Default::default()
    };
    let v = draw(&mut ui, &["a", "b", "c"]);
    ui.apply(Action::Down, &v);
    draw(&mut ui, &["a", "b", "c"]);
    let v = draw(&mut ui, &["c", "a", "b"]);
    assert_eq!(
        ui.apply(Action::Redeploy, &v),
        Effect::Plan(Request::Redeploy, ServiceKey::new("prod", "b"))
    );
}

#[test]
fn a_service_that_disappears_gives_way_to_its_neighbour_and_the_footer_says_so() {
    let mut ui = UiState::default();
    let v = draw(&mut ui, &["a", "b", "c"]);
    ui.apply(Action::Down, &v);
    draw(&mut ui, &["a", "b", "c"]);
    draw(&mut ui, &["a", "c"]);
    assert_eq!(ui.board.id, Some(ServiceKey::new("prod", "c")));
    let (msg, _) = ui.message.clone().unwrap();
    assert_eq!(msg, "b is no longer listed: selected c");
}

#[test]
fn the_tasks_pane_opens_the_task_drawn_under_the_selection() {
    let mut ui = UiState::default();
    let v = draw(&mut ui, &["a"]);
    ui.apply(Action::Open, &v);
    ui.pane = Pane::Tasks;
    let v = draw(&mut ui, &["a"]);
    ui.apply(Action::Down, &v);
    let v = draw(&mut ui, &["a"]);
    assert_eq!(
        ui.panes[Pane::Tasks.index()].id.as_deref(),
        Some("arn:task/1")
    );
    ui.apply(Action::Open, &v);
    assert!(matches!(ui.view(), View::Task(_, arn) if arn == "arn:task/1"));
}
