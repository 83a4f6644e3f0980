//! Running a compiled filter allocates nothing unless it writes a list:
//! counted with a global allocator over Calico's and a matching filter.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use wren_config::filter::Verdict;
use wren_config::parse_bird_str;
use wren_core::policy::RouteView;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers to the system allocator; only counts calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CONF: &str = r#"
define POOL = 10.244.0.0/16;
function reject_local_routes () {
  if (defined(ifname)) then { if (ifname ~ "bpf*.cali") then { reject; } }
}
function classify(prefix p; int extra) int r; {
  r = p.len + extra;
  case r { 26: return 1; else: return 0; }
}
filter calico_kernel_programming {
  if (defined(source) && (source = RTS_BGP) && !defined(krt_metric)) then {
      krt_metric = 1024;
      if (defined(bgp_local_pref)) then { krt_metric = 2147483647 - bgp_local_pref; }
      if (krt_metric < 1024) then { preference = 200; }
  }
  reject_local_routes();
  if bgp_path ~ [= * 65000 * =] && (65000, 1) ~ bgp_community && bgp_community ~ [(65000, *)]
     && net ~ [ 10.244.0.0/16{24,32}, 10.0.0.0/8- ] && classify(net, 0) = 1 && net ~ POOL
     && proto ~ "peer*" && bgp_path.len = 2 then accept;
  reject;
}
"#;

#[test]
fn evaluation_does_not_allocate() {
    let c = parse_bird_str("a.conf", CONF).unwrap();
    let f = c.filter("calico_kernel_programming").unwrap().clone();
    let r = common::route("10.244.1.0/26")
        .local_pref(100)
        .path(&[65000, 3])
        .community(65000, 1)
        .ifname("eth0");
    let before = ALLOCS.load(Ordering::Relaxed);
    let mut verdicts = [Verdict::Reject; 100];
    for v in verdicts.iter_mut() {
        let mut view =
            RouteView::new(r.prefix, &r.source, &r.attrs, r.next_hop).with_facts(r.facts.clone());
        *v = f.run_with(&mut view, &mut |_| {});
        assert_eq!(view.facts.krt_metric, Some(2147483547));
        assert!(view.into_modified().is_none());
    }
    let after = ALLOCS.load(Ordering::Relaxed);
    assert!(verdicts.iter().all(|v| *v == Verdict::Accept));
    assert_eq!(after - before, 0, "allocations during 100 filter runs");
}
