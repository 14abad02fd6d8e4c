//! Size classes of small objects (at most [`MAX_SMALL`] bytes): every
//! small allocation is rounded up to one of [`CLASS_SIZES`], and each span
//! serves one class. Spacing is 8 bytes up to 128, then 8 classes per
//! doubling (at most 12.5% of an object wasted to rounding), as Go's
//! table roughly does.
//!
//! A class's spans are [`span_pages`] pages long: enough for at least 8
//! objects, and at most [`super::span::MAX_ELEMS`] slots (the size of a
//! span's bitmaps).

use super::arena::PAGE_SIZE;

/// Largest small object; bigger ones get a span of their own.
pub const MAX_SMALL: usize = 32 << 10;

/// The class sizes, increasing. Class 0 is unused (a span index of 0
/// means "none" elsewhere, and keeping class numbers from 1 mirrors it).
pub const CLASS_SIZES: [u32; 81] = {
    let mut t = [0u32; 81];
    let mut i = 1;
    // 8 .. 128 by 8.
    while i <= 16 {
        t[i] = (i * 8) as u32;
        i += 1;
    }
    // Then 8 steps per doubling: 144 .. 32768.
    let mut base = 128u32;
    while base < MAX_SMALL as u32 {
        let step = base / 8;
        let mut k = 1;
        while k <= 8 {
            t[i] = base + step * k;
            i += 1;
            k += 1;
        }
        base *= 2;
    }
    t
};

/// Number of classes (including the unused class 0).
pub const N_CLASSES: usize = CLASS_SIZES.len();

/// `size` (1..=MAX_SMALL bytes) -> its class: the smallest class size
/// that fits. Sizes up to 1024 use a table; above, a search over the few
/// larger classes.
#[inline]
pub fn class_of(size: usize) -> usize {
    debug_assert!(size > 0 && size <= MAX_SMALL);
    if size <= 1024 {
        return SMALL_TABLE[(size + 7) >> 3] as usize;
    }
    let mut c = SMALL_TABLE[128] as usize;
    while (CLASS_SIZES[c] as usize) < size {
        c += 1;
    }
    c
}

/// `(size + 7) / 8` -> class, for sizes up to 1024.
static SMALL_TABLE: [u8; 129] = {
    let mut t = [0u8; 129];
    let mut words = 1;
    let mut c = 1;
    while words <= 128 {
        while (CLASS_SIZES[c] as usize) < words * 8 {
            c += 1;
        }
        t[words] = c as u8;
        words += 1;
    }
    t
};

/// Pages per span of class `class`: at least 8 objects, at least a page.
pub const fn span_pages(class: usize) -> usize {
    let bytes = CLASS_SIZES[class] as usize * 8;
    let pages = bytes.div_ceil(PAGE_SIZE);
    if pages == 0 {
        1
    } else {
        pages
    }
}

/// Slots in a span of class `class`.
pub const fn span_elems(class: usize) -> usize {
    span_pages(class) * PAGE_SIZE / CLASS_SIZES[class] as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::span::MAX_ELEMS;

    #[test]
    fn ensure_that_classes_increase_and_end_at_the_small_limit() {
        assert_eq!(CLASS_SIZES[1], 8);
        assert_eq!(CLASS_SIZES[N_CLASSES - 1] as usize, MAX_SMALL);
        for c in 2..N_CLASSES {
            assert!(CLASS_SIZES[c] > CLASS_SIZES[c - 1], "class {c}");
            assert_eq!(CLASS_SIZES[c] % 8, 0);
            // At most 12.5% lost to rounding above 128 bytes.
            if CLASS_SIZES[c] > 128 {
                let prev = CLASS_SIZES[c - 1];
                assert!((CLASS_SIZES[c] - prev) * 8 <= prev + 8 * 8, "class {c}");
            }
        }
    }

    #[test]
    fn ensure_that_every_size_gets_the_smallest_class_that_fits() {
        for size in 1..=MAX_SMALL {
            let c = class_of(size);
            assert!(CLASS_SIZES[c] as usize >= size, "size {size}");
            assert!(
                c == 1 || (CLASS_SIZES[c - 1] as usize) < size,
                "size {size}"
            );
        }
    }

    #[test]
    fn ensure_that_spans_hold_at_least_eight_objects_and_fit_their_bitmaps() {
        for c in 1..N_CLASSES {
            assert!(span_elems(c) >= 8, "class {c}");
            assert!(span_elems(c) <= MAX_ELEMS, "class {c}");
        }
    }
}
