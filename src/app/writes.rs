//! Carrying out writes in the console: a request becomes what the planner says (a prompt, a
//! refusal, a lookup), a write's answer is said, logged, recorded and kept on the timeline.

use super::*;

/// Who makes a write: with several targets, the local user and the profile of the target the
/// write goes to (one profile: `Options::who` already names it).
pub(super) fn who_for(opts: &Options, store: &Store, key: &crate::model::ServiceKey) -> String {
    if !store.multi_target() {
        return opts.who.clone();
    }
    let profile = store
        .place(key.place)
        .spec
        .profile
        .as_deref()
        .unwrap_or("default");
    format!("{} (profile {profile})", opts.who)
}

/// How long the end of the console waits for writes under way (one API call each, with the
/// SDK's retries).
pub(super) const WRITE_WAIT: Duration = Duration::from_secs(30);

/// A write's answer: said on the status line, logged, recorded, kept on the timeline.
pub(super) fn wrote<A: AwsApi>(
    feed: &mut Feed<A>,
    ui: &mut UiState,
    opts: &mut Options,
    op: WriteOp,
    result: Result<(), String>,
) {
    let st = feed.store();
    let what = if st.multi_target() {
        format!(
            "{} (in {})",
            op.describe(),
            st.place(op.key().place).label()
        )
    } else {
        op.describe()
    };
    let action = ActionRecord {
        t: chrono::Utc::now(),
        service: op.key().clone(),
        who: who_for(opts, st, op.key()),
        what,
        result: match &result {
            Ok(()) => "ok".into(),
            Err(e) => format!("failed: {e}"),
        },
        ok: result.is_ok(),
    };
    ui.say(match &result {
        Ok(()) => format!("done: {}", action.what),
        // a rejection the playbook knows (a Service Connect namespace that is gone, a
        // throttled call) says which entry explains it
        Err(e) => match st.playbook().classify(None, &e.to_string()) {
            Some(entry) => format!(
                "FAILED: {}: {} — {e}. Fix: {}",
                action.what, entry.title, entry.fix
            ),
            None => format!("FAILED: {}: {e}", action.what),
        },
    });
    if let Some(log) = opts.log.as_mut() {
        log.line(
            action.t,
            &format!(
                "write by {}: {} ({}): {}",
                action.who,
                action.what,
                op.cli(),
                action.result
            ),
        );
    }
    let rec = Record::Action {
        t: action.t,
        action: action.clone(),
    };
    // shared: the hub sends it to every viewer, this one too (recorded when it comes back)
    if let Some(tx) = feed.shared() {
        let _ = tx.try_send(rec);
        return;
    }
    record(opts, ui, |r| r.append(&rec));
    feed.store_mut().add_action(action);
}

/// Append to the recording; on failure say so once and stop recording (the console goes on).
pub(super) fn record(
    opts: &mut Options,
    ui: &mut UiState,
    f: impl FnOnce(&mut Recorder) -> Result<(), String>,
) {
    if let Some(r) = opts.recorder.as_mut()
        && let Err(e) = f(r)
    {
        opts.recorder = None;
        ui.recording = Some("RECORDING STOPPED".into());
        ui.say(e);
    }
}

/// Carry out what the write planner (`actions::plan`) says a write key leads to: a prompt, a
/// refusal on the status line, or the lookup that ends in a prompt.
pub(super) fn plan_write<A: AwsApi>(
    feed: &Feed<A>,
    ui: &mut UiState,
    req: Request,
    key: crate::model::ServiceKey,
    done: &mpsc::Sender<Done>,
) {
    let Feed::Live { store, .. } = feed else {
        return;
    };
    let Some(api) = feed.api_for(&key) else {
        return;
    };
    use crate::actions::Planned;
    match crate::actions::plan(store, ui.writes == Writes::Allowed, req, &key) {
        Planned::Refuse(why) => ui.say(why),
        Planned::Confirm(op) => ui.prompt = Some(Prompt::new(PromptKind::Confirm(op))),
        Planned::AskCount { key, from } => {
            ui.prompt = Some(Prompt::new(PromptKind::ScaleTo { key, from }))
        }
        Planned::LookUpRollback { key, current } => {
            ui.say("looking up the previous ACTIVE revision ...");
            let tx = done.clone();
            tokio::spawn(async move {
                let r = crate::actions::rollback_lookup(&*api, &key, &current)
                    .await
                    .map_err(|e| format!("cannot plan the rollback: {e}"));
                let _ = tx.send(Done::Planned(r)).await;
            });
        }
        Planned::ListTasks(key) => {
            // list the service's running tasks to choose from (ListTasks + DescribeTasks)
            ui.say(format!("listing the running tasks of {} ...", key.service));
            let tx = done.clone();
            tokio::spawn(async move {
                let r = crate::actions::running_tasks(&*api, &key).await;
                let _ = tx.send(Done::Listed(key, r)).await;
            });
        }
    }
}
