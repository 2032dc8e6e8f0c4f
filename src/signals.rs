//! Ctrl-C and SIGTERM: remove the half-written output and exit 130.

pub fn install() {
    let _ = ctrlc::set_handler(|| {
        crate::output::interrupt();
        eprintln!("csprefix: interrupted; nothing was written");
        // A writer may have raced the first removal.
        crate::output::interrupt();
        std::process::exit(130);
    });
}
