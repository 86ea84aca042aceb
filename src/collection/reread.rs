//! A collection's requests as a run takes them. A file past the budget a run keeps
//! (`load::Keep::Within`) was checked as it was read and only the fingerprint of each
//! request kept; here its requests are read from disk again one at a time, each checked
//! against its fingerprint, behind the one iterator `Collection::requests`.

use super::load::{syntax_error, unreadable};
use super::model::{Collection, Request};
use super::request::read_request;
use crate::diag::{Diagnostic, Loc};
use crate::template::Templates;
use crate::yaml::node::{self, Node};
use crate::yaml::read::{Compiler, Reader};

/// A request as a run gets it: kept since loading, or read again from its file.
pub enum Running<'a> {
    Kept(&'a Request),
    Read(Box<Request>),
}

impl std::ops::Deref for Running<'_> {
    type Target = Request;
    fn deref(&self) -> &Request {
        match self {
            Running::Kept(r) => r,
            Running::Read(r) => r,
        }
    }
}

impl Collection {
    /// The requests of the collection in order, as a run takes them: those kept since
    /// loading, or (a file past the budget of `Keep::Within`) each read again as the run
    /// gets to it. The one way a run sees requests, so it never calls back into the loader.
    pub fn requests<'a>(
        &'a self,
        templates: &'a Templates,
    ) -> Box<dyn Iterator<Item = Result<Running<'a>, Diagnostic>> + 'a> {
        if self.deferred.is_empty() {
            Box::new(self.requests.iter().map(|r| Ok(Running::Kept(r))))
        } else {
            Box::new(reread(self, templates).map(|r| r.map(|r| Running::Read(Box::new(r)))))
        }
    }
}

/// The requests of a collection checked before and not kept, read again one at a time
/// (from disk for a file loaded by `load_on_disk`): what runs is one request at a time,
/// not the whole file's model. Each must be the request checked, by its fingerprint: a
/// file edited since is an error at the first request that differs, not a request run
/// unchecked.
pub(super) fn reread<'a>(
    c: &'a Collection,
    templates: &'a Templates,
) -> impl Iterator<Item = Result<Request, Diagnostic>> + 'a {
    let file = &c.file;
    let problem = move |e| match e {
        node::FileProblem::Syntax(e) => syntax_error(file, e),
        node::FileProblem::Unreadable(why) => unreadable(&file.display(), why),
    };
    let items: Box<dyn Iterator<Item = Result<Node<'static>, Diagnostic>>> =
        match node::request_items_of_file(&file.path) {
            Ok(items) => Box::new(items.map(move |i| i.map_err(problem))),
            Err(e) => Box::new(std::iter::once(Err(problem(e)))),
        };
    let changed = move |loc| {
        Diagnostic::error(format!("{} changed after it was checked", file.display()))
            .at(file, loc)
            .help("run again: every request is checked before the first is sent")
    };
    let mut items = items.fuse();
    let mut checked = c.deferred.iter();
    let mut done = false;
    // The requests of an `include:` item, one item standing for several.
    let mut pending = std::collections::VecDeque::new();
    std::iter::from_fn(move || {
        loop {
            if let Some(req) = pending.pop_front() {
                return Some(Ok(req));
            }
            if done {
                return None;
            }
            let failed = match (items.next(), checked.next()) {
                (None, None) => return None,
                (Some(Ok(item)), Some(&print)) if item.fingerprint() == print => {
                    match read_again(c, templates, &item) {
                        // Taken from `pending` at the top of the loop.
                        Ok(reqs) => {
                            pending.extend(reqs);
                            continue;
                        }
                        Err(d) => d,
                    }
                }
                (Some(Ok(item)), _) => changed(item.loc),
                (Some(Err(d)), _) => d,
                (None, Some(_)) => changed(Loc::default()),
            };
            done = true;
            return Some(Err(failed));
        }
    })
}

/// The request of an item read again, or the requests of an `include:`, with the file's
/// `defaults:` applied as they were when it was loaded.
fn read_again(
    c: &Collection,
    templates: &Templates,
    item: &Node,
) -> Result<Vec<Request>, Diagnostic> {
    let mut problems = Vec::new();
    let mut r = Reader {
        file: &c.file,
        problems: &mut problems,
        templates: Compiler::Known(templates),
    };
    let reqs = if super::include::is_include(item) {
        Some(super::include::expand(&mut r, item).0)
    } else {
        read_request(&mut r, item).map(|req| vec![req])
    };
    match (reqs, problems.into_iter().find(Diagnostic::is_error)) {
        (Some(mut reqs), None) => {
            if let Some(d) = &c.defaults {
                for req in &mut reqs {
                    d.apply(req);
                }
            }
            Ok(reqs)
        }
        (_, Some(d)) => Err(d),
        (None, None) => {
            Err(Diagnostic::error("the request cannot be read again").at(&c.file, item.loc))
        }
    }
}
