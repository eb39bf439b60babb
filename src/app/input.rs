//! Keys from the terminal on a thread of their own, and handing the terminal to a child process
//! (ECS Exec) and back: the input thread pauses so no keystroke meant for the child is taken.

use super::*;

/// Set while a child process owns the terminal (ECS Exec): the input thread stops reading,
/// and says so in [`INPUT_IDLE`], so no keystroke meant for the child is taken.
static INPUT_PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static INPUT_IDLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(super) fn spawn_input(tx: mpsc::Sender<Event>) {
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        loop {
            if tx.is_closed() {
                return;
            }
            if INPUT_PAUSED.load(Ordering::SeqCst) {
                INPUT_IDLE.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            INPUT_IDLE.store(false, Ordering::SeqCst);
            match crossterm::event::poll(Duration::from_millis(250)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.blocking_send(ev).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                },
                Ok(false) => {}
                Err(_) => return,
            }
        }
    });
}

/// Run `argv` with the terminal: the input thread pauses, the screen is restored, the child
/// inherits stdin/stdout/stderr; after it, a failure waits for Enter (so its message can be
/// read) and the console takes the terminal back.
pub(super) async fn run_exec(guard: &mut terminal::TerminalGuard, argv: &[String]) -> String {
    use std::sync::atomic::Ordering;
    INPUT_PAUSED.store(true, Ordering::SeqCst);
    for _ in 0..50 {
        if INPUT_IDLE.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    guard.suspend();
    let argv = argv.to_vec();
    let status = tokio::task::spawn_blocking(move || {
        println!("ecswatch: {}", argv.join(" "));
        println!("ecswatch: exit the shell to come back to the console");
        let Some((program, args)) = argv.split_first() else {
            return "nothing to run".to_string();
        };
        let status = match std::process::Command::new(program).args(args).status() {
            Ok(s) if s.success() => return "exit 0".to_string(),
            Ok(s) => match s.code() {
                Some(c) => format!("exit {c}"),
                None => "ended by a signal".to_string(),
            },
            Err(e) => format!("could not start {program}: {e}"),
        };
        println!("ecswatch: {status}; press Enter to return to the console");
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        status
    })
    .await
    .unwrap_or_else(|e| format!("the session's thread failed: {e}"));
    let _ = guard.resume();
    INPUT_PAUSED.store(false, Ordering::SeqCst);
    status
}
