//! Any text as a collection file: loading (YAML, the model, templates) must return a
//! collection or diagnostics, never panic, and render every diagnostic. Loading reads each
//! request as the parser ends its item (`load_source`); it must find exactly what reading
//! the whole tree first finds (`parse_tree` + `build`). Read from disk as it is parsed
//! (`load_on_disk`, a file past 1 MiB in `baton run`), it must find the same problems and
//! read the same requests again from disk.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("baton-fuzz-{}.yaml", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let shown = |ps: &[baton::Diagnostic]| ps.iter().map(|p| p.short()).collect::<Vec<_>>();
    let mut disk_templates = baton::Templates::new();
    let mut disk_problems = Vec::new();
    let on_disk = baton::load_on_disk(&path, &mut disk_templates, &mut disk_problems);
    for p in &disk_problems {
        let _ = p.render(false);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        let mut problems = Vec::new();
        assert!(baton::read_source(&path, &mut problems).is_none());
        assert_eq!(shown(&problems), shown(&disk_problems));
        return;
    };
    let file = baton::SourceFile::new(&path, text);
    let mut templates = baton::Templates::new();
    let mut problems = Vec::new();
    let streamed = baton::load_source(&file, &mut templates, &mut problems);
    for p in &problems {
        let _ = p.render(false);
        let _ = p.short();
    }
    let mut templates = baton::Templates::new();
    let mut whole_problems = Vec::new();
    let whole = baton::parse_tree(&file, &mut whole_problems)
        .and_then(|tree| baton::build(&file, tree, &mut templates, &mut whole_problems));
    assert_eq!(shown(&problems), shown(&whole_problems));
    let names = |c: &Option<baton::Collection>| {
        c.as_ref()
            .map(|c| c.requests.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
    };
    assert_eq!(names(&streamed), names(&whole));
    // Only a file of nothing but whitespace is named "empty" in memory alone.
    if !text.trim().is_empty() {
        assert_eq!(shown(&problems), shown(&disk_problems));
        assert_eq!(
            streamed.as_ref().map(|c| c.request_count()),
            on_disk.as_ref().map(|c| c.request_count())
        );
        if let Some(on_disk) = &on_disk {
            let again: Vec<String> = on_disk
                .requests(&disk_templates)
                .map(|r| r.expect("a request checked on disk reads again").name.clone())
                .collect();
            if !on_disk.deferred.is_empty() {
                assert_eq!(Some(again), names(&streamed));
            }
        }
    }
});
