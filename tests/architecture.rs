//! The generator reads as its pipeline: its top-level modules depend on
//! each other without a cycle, so each stage can be read (and changed)
//! knowing only the stages before it. Dependencies are the `crate::` paths
//! in code (not in documentation or in the tokens the emitters quote).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mobileconfig_tests::workspace_root;
use syn::visit::Visit;

/// The `crate::<module>` paths a file's code names.
#[derive(Default)]
struct CratePaths(BTreeSet<String>);

impl<'ast> Visit<'ast> for CratePaths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next())
            && first.ident == "crate"
        {
            self.0.insert(second.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if let syn::UseTree::Path(root) = &item.tree
            && root.ident == "crate"
        {
            let mut names = Vec::new();
            first_names(&root.tree, &mut names);
            self.0.extend(names);
        }
    }
}

/// The first names under `crate::` in a use tree (`{a, b::c}` gives a, b).
fn first_names(tree: &syn::UseTree, names: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(path) => names.push(path.ident.to_string()),
        syn::UseTree::Name(name) => names.push(name.ident.to_string()),
        syn::UseTree::Rename(rename) => names.push(rename.ident.to_string()),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                first_names(item, names);
            }
        }
        syn::UseTree::Glob(_) => {}
    }
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn module_files(src: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut files = Vec::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let first = relative
                .components()
                .next()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            let module = first.trim_end_matches(".rs").to_owned();
            if module != "lib" {
                files.push((module, path));
            }
        }
    }
    files.sort();
    files
}

/// A cycle in the graph, if it has one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|open| open == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_generators_modules_depend_on_each_other_without_a_cycle() {
    let src = workspace_root().join("codegen/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in module_files(&src) {
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let file =
            syn::parse_file(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mut paths = CratePaths::default();
        paths.visit_file(&file);
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(paths.0.into_iter().filter(|target| *target != module));
    }
    // The graph is real: the pipeline's stages are in it and depend on the
    // stages before them.
    assert!(graph["lower"].contains("naming"), "{graph:#?}");
    assert!(graph["naming"].contains("types"), "{graph:#?}");
    assert!(graph["types"].contains("bind"), "{graph:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("codegen/src has a module cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn a_cycle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(node, edges)| {
        (
            node.to_owned(),
            edges.into_iter().map(str::to_owned).collect(),
        )
    })
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
