// SPDX-License-Identifier: MIT
//! The Rust code of docs/vmm-guide.md is excerpts of the programs of
//! rust/README.md, which run as doc tests: each excerpt (`// ...` marks
//! lines left out) must be there, its pieces in order.
use std::path::Path;

/// The ```rust blocks of a markdown file.
fn rust_blocks(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        match (&mut block, line) {
            (None, "```rust") => block = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                block = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The non-empty lines of a block, trimmed, cut at each `// ...`.
fn pieces(excerpt: &str) -> Vec<Vec<&str>> {
    let mut pieces = vec![Vec::new()];
    for line in excerpt.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line == "// ..." {
            pieces.push(Vec::new());
        } else {
            pieces.last_mut().unwrap().push(line);
        }
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

fn holds_in_order(program: &str, pieces: &[Vec<&str>]) -> bool {
    let lines: Vec<&str> = program.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut pos = 0;
    for piece in pieces {
        match (pos..=lines.len().saturating_sub(piece.len()))
            .find(|&i| lines.len() >= i + piece.len() && lines[i..i + piece.len()] == piece[..])
        {
            Some(i) => pos = i + piece.len(),
            None => return false,
        }
    }
    true
}

#[test]
fn the_guides_rust_excerpts_are_in_the_readmes_programs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let excerpts = rust_blocks(&root.join("docs/vmm-guide.md"));
    let programs = rust_blocks(&root.join("rust/README.md"));
    assert_eq!(excerpts.len(), 2);
    for excerpt in &excerpts {
        let p = pieces(excerpt);
        assert!(programs.iter().any(|prog| holds_in_order(prog, &p)), "not in rust/README.md:\n{}", excerpt);
    }
}
