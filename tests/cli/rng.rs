//! A small deterministic random number generator (xorshift64*) for tests that generate sites
//! and mutations from a fixed seed: the same seed gives the same series on every machine, so a
//! failure is reproduced by its seed alone.

/// xorshift64* (Vigna 2016): good enough to pick pages and bytes, and dependency-free.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; 0 is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Self {
        // Mix the seed once so nearby seeds start far apart.
        let state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        Self(if state == 0 { 0x2545_F491_4F6C_DD1D } else { state })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_series() {
    let series = |seed| {
        let mut rng = Rng::new(seed);
        (0..5).map(|_| rng.below(1000)).collect::<Vec<_>>()
    };
    assert_eq!(series(7), series(7));
    assert_ne!(series(7), series(8));
    let mut rng = Rng::new(1);
    let mut items = [1, 2, 3, 4, 5];
    rng.shuffle(&mut items);
    let mut sorted = items;
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 2, 3, 4, 5]);
}
