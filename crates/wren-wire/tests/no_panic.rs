//! Decoding never panics, and accepted UPDATEs survive re-encoding.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::*;
use proptest::prelude::*;
use wren_wire::attributes::attr_type as at;
use wren_wire::fuzzing::{decode_any, round_trip};

fn seeds() -> Vec<Vec<u8>> {
    let mut mp = attr(
        ON,
        at::MP_REACH_NLRI,
        &mp_reach_value(2, 1, &nh6(), &nlri6()),
    );
    mp = [origin(), as_path4(&[65001, 4_200_000_001]), mp].concat();
    vec![
        body(&[], &base(), &nlri2()),
        body(&nlri2(), &[], &[]),
        body(&[], &mp, &[]),
        body(
            &[],
            &[
                base(),
                attr(OT, at::COMMUNITIES, &[0, 1, 0, 2]),
                attr(OT, at::AGGREGATOR, &[0, 0, 0xfd, 0xe9, 1, 2, 3, 4]),
            ]
            .concat(),
            &nlri2(),
        ),
        body(&[], &attr(ON, at::MP_UNREACH_NLRI, &[0, 2, 1]), &[]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        decode_any(&data);
        round_trip(&data);
    }

    #[test]
    fn mutated_messages(seed in 0usize..5, sel in any::<u8>(), edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..6)) {
        let mut m = seeds()[seed].clone();
        for (pos, val) in edits {
            let i = usize::from(pos) % m.len();
            m[i] = val;
        }
        let mut data = vec![sel & !4]; // keep 4-octet AS so the seeds parse
        data.extend_from_slice(&m);
        decode_any(&data);
        round_trip(&data);
    }

    #[test]
    fn truncated_messages(seed in 0usize..5, sel in any::<u8>(), cut in any::<u16>()) {
        let m = &seeds()[seed];
        let mut data = vec![sel];
        data.extend_from_slice(&m[..usize::from(cut) % (m.len() + 1)]);
        decode_any(&data);
        round_trip(&data);
    }
}

#[test]
fn seeds_round_trip() {
    for s in seeds() {
        let mut data = vec![1];
        data.extend_from_slice(&s);
        round_trip(&data);
    }
}

/// Replays every input the fuzzers kept (fuzz/corpus), so that what they
/// found stays found.
#[test]
fn fuzz_corpus_replays() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut n = 0;
    for target in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let data = std::fs::read(f.path()).unwrap();
            decode_any(&data);
            round_trip(&data);
            n += 1;
        }
    }
    eprintln!("replayed {n} corpus inputs");
}
