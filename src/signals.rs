//! Ctrl-C and SIGTERM.
//!
//! The first signal asks the run to stop: writers stop taking files, the
//! temporary folder is removed, and the process exits with 130, leaving the
//! destination as it was. Once the output is in place a signal no longer
//! stops anything. A second signal exits at once, removing what it can.

pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if crate::output::interrupted() {
            crate::output::remove_pending();
            std::process::exit(130);
        }
        crate::output::interrupt();
    });
}
