use crate::helpers::{specsync, stdout_of};

#[test]
fn demo_finds_every_change_and_runs_again_in_the_same_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo_dir = dir.path().join("demo");
    for run in 1..=2 {
        let out = specsync()
            .arg("demo")
            .arg("--dir")
            .arg(&demo_dir)
            .output()
            .expect("run demo");
        let stdout = stdout_of(&out, &format!("specsync demo (run {run})"));
        assert!(stdout.contains("nothing missed, nothing extra"), "{stdout}");
        let emails = std::fs::read_dir(demo_dir.join("outbox"))
            .expect("outbox")
            .count();
        assert_eq!(
            emails, 2,
            "run {run}: the outbox holds this run's alerts only"
        );
    }
}

#[test]
fn demo_refuses_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("precious.txt"), "keep me").expect("write");
    let out = specsync()
        .arg("demo")
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run demo");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a specsync demo folder"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious.txt")).expect("kept"),
        "keep me"
    );
}

/// `specsync demo | head -1` once panicked with "failed printing to stdout: Broken pipe".
#[test]
fn regression_output_into_a_closed_pipe_does_not_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = specsync()
        .arg("demo")
        .arg("--dir")
        .arg(dir.path().join("demo"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a line");
    // The reader is gone now, like `head -1` after its line.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
