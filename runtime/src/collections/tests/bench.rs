//! Rough timings of the hot entry points, for comparing with Go's slices
//! and maps. Run with
//! `cargo test -p plat_rt --release -- --ignored --nocapture bench`.

use std::hint::black_box;
use std::time::Instant;

use crate::collections::dict::*;
use crate::collections::list::*;
use crate::gc::shape::{plat_shape_string, plat_type_int64};
use crate::testdesc::{self, s};

fn report(what: &str, n: usize, t: Instant) {
    println!(
        "{what:<40} {:>7.2} ns/op",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}

#[test]
#[ignore]
fn bench_collections() {
    let n = 10_000_000;
    // SAFETY: valid collections used by this thread only.
    unsafe {
        let ld = testdesc::list_of(&plat_type_int64);
        let l = plat_list_new(ld, 0);
        let t = Instant::now();
        for i in 0..n {
            plat_list_push(black_box(l), i as u64);
        }
        report("list push (growing, fresh memory)", n, t);
        plat_list_clear(l);
        let t = Instant::now();
        for i in 0..n {
            plat_list_push(black_box(l), i as u64);
        }
        report("list push (capacity kept after clear)", n, t);
        let t = Instant::now();
        for _ in 0..n / 100 {
            let l = plat_list_new(ld, 0);
            for i in 0..100 {
                plat_list_push(black_box(l), i as u64);
            }
        }
        report("list new + 100 pushes, per push", n, t);
        let t = Instant::now();
        let mut out = 0u64;
        let mut sum = 0u64;
        for i in 0..n {
            plat_list_get(black_box(l), i as i64, &mut out);
            sum = sum.wrapping_add(out);
        }
        black_box(sum);
        report("list get", n, t);
        let t = Instant::now();
        for i in 0..n {
            plat_list_pop(black_box(l), &mut out);
            plat_list_push(black_box(l), i as u64);
        }
        report("list pop + push (runtime, writer word)", n, t);

        for size in [1_000usize, 1_000_000] {
            let keys: Vec<u64> = (0..size).map(|i| s(&format!("key-{i}"))).collect();
            let probes: Vec<u64> = (0..size).map(|i| s(&format!("key-{i}"))).collect();
            let d = plat_dict_new(testdesc::dict_of(&plat_shape_string, &plat_type_int64));
            let t = Instant::now();
            for (i, &k) in keys.iter().enumerate() {
                plat_dict_set(d, k, i as u64);
            }
            report(&format!("dict[String] set new ({size} keys)"), size, t);
            let rounds = n / size;
            let t = Instant::now();
            for _ in 0..rounds {
                for &k in &probes {
                    plat_dict_get(black_box(d), k, &mut out);
                    sum = sum.wrapping_add(out);
                }
            }
            report(&format!("dict[String] get ({size} keys)"), rounds * size, t);
            let t = Instant::now();
            for _ in 0..rounds {
                for (i, &k) in probes.iter().enumerate() {
                    plat_dict_set(black_box(d), k, i as u64);
                }
            }
            report(
                &format!("dict[String] set existing ({size} keys)"),
                rounds * size,
                t,
            );
            let did = testdesc::dict_of(&plat_type_int64, &plat_type_int64);
            let mut di = plat_dict_new(did);
            let t = Instant::now();
            for _ in 0..rounds {
                di = plat_dict_new(did);
                for i in 0..size as u64 {
                    plat_dict_set(di, i, i);
                }
            }
            report(
                &format!("dict[Int64] new + set ({size} keys)"),
                rounds * size,
                t,
            );
            let t = Instant::now();
            for _ in 0..rounds {
                for i in 0..size as u64 {
                    plat_dict_get(black_box(di), i, &mut out);
                    sum = sum.wrapping_add(out);
                }
            }
            report(&format!("dict[Int64] get ({size} keys)"), rounds * size, t);
        }
        black_box(sum);
    }
}
