//! Classifying one message, and what putting it in one line and masking the names in it
//! (`normalize`, `mask_names`, done before every classification) cost of that.
//! `cargo bench --bench classify`: both over every corpus and reference text, in one run, so
//! the ratio holds on a shared, noisy machine.

use criterion::{Criterion, criterion_group, criterion_main};
use ecswatch::diagnosis::{EvidenceKind, Playbook, mask_names, normalize};
use std::hint::black_box;

fn texts() -> Vec<(EvidenceKind, String)> {
    [
        "tests/data/ecs-messages.jsonl",
        "tests/data/field-messages.jsonl",
    ]
    .iter()
    .flat_map(|path| {
        let text = std::fs::read_to_string(path).expect("corpus");
        text.lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                let kind = EvidenceKind::parse(v["kind"].as_str()?)?;
                Some((kind, v["text"].as_str()?.to_string()))
            })
            .collect::<Vec<_>>()
    })
    .collect()
}

fn classify(c: &mut Criterion) {
    let pb = Playbook::builtin();
    let texts = texts();
    assert!(texts.len() > 500, "{} texts", texts.len());
    c.bench_function("classify_every_corpus_text", |b| {
        b.iter(|| {
            for (kind, text) in &texts {
                black_box(pb.classify_match(Some(*kind), text));
            }
        })
    });
    c.bench_function("normalize_and_mask_every_corpus_text", |b| {
        b.iter(|| {
            for (_, text) in &texts {
                black_box(mask_names(&normalize(text)));
            }
        })
    });
}

criterion_group!(benches, classify);
criterion_main!(benches);
