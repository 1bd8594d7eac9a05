//! The fuzzer's mutations: a seeded generator of inputs, each a corpus document changed one to eight
//! times. The changes aim at JSON readers and validators: a number becomes an extreme (0, -1, 2⁶⁴ - 1,
//! 2⁵³ + 1, 1e308, a tiny fraction), a string becomes empty, huge or another field's name, a value
//! becomes `null`, `[]` or `{}`, and bytes are flipped, deleted or repeated.

/// Numbers that break arithmetic: zero, negatives, the integer limits, past `f64`'s exact integers.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "9007199254740993",
    "4294967295",
    "4294967296",
    "2147483648",
    "1e308",
    "-1e308",
    "1e-308",
    "0.000001",
    "86400000",
    "86400001",
    "1000000",
    "1024",
    "1025",
];
/// Values of another type.
const VALUES: &[&str] = &[
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "\"x\"",
    "[0]",
    "{\"\": 1}",
];

/// A splitmix64 generator: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Seeded inputs made from a corpus.
pub(crate) struct Mutator<'c> {
    rng: Rng,
    corpus: &'c [Vec<u8>],
}

impl<'c> Mutator<'c> {
    pub(crate) fn new(seed: u64, corpus: &'c [Vec<u8>]) -> Self {
        Self {
            rng: Rng(seed),
            corpus,
        }
    }

    /// The next input: a corpus document with one to eight mutations.
    pub(crate) fn next_input(&mut self) -> Vec<u8> {
        let mut data = self.corpus[self.rng.below(self.corpus.len())].clone();
        for _ in 0..1 + self.rng.below(8) {
            self.mutate(&mut data);
        }
        data
    }

    fn mutate(&mut self, data: &mut Vec<u8>) {
        match self.rng.below(8) {
            0 | 1 => self.replace_token(data, is_number_byte, NUMBERS),
            2 => self.replace_token(data, is_number_byte, VALUES),
            3 => self.replace_string(data),
            4 => {
                // Flip a byte.
                if !data.is_empty() {
                    let at = self.rng.below(data.len());
                    data[at] ^= 1 << self.rng.below(8);
                }
            }
            5 => {
                // Delete a span.
                let (from, to) = self.span(data.len());
                data.drain(from..to);
            }
            6 => {
                // Repeat a span (lists grow: more actions, services, members).
                let (from, to) = self.span(data.len());
                let copy = data[from..to].to_vec();
                let at = self.rng.below(data.len() + 1);
                data.splice(at..at, copy);
            }
            _ => {
                // A piece of another document, somewhere.
                let other = &self.corpus[self.rng.below(self.corpus.len())];
                let (from, to) = self.span(other.len());
                let at = self.rng.below(data.len() + 1);
                data.splice(at..at, other[from..to].iter().copied());
            }
        }
    }

    fn span(&mut self, len: usize) -> (usize, usize) {
        let from = self.rng.below(len + 1);
        let to = (from + 1 + self.rng.below(64)).min(len);
        (from.min(to), to)
    }

    /// Replaces a number in `data` (found from a random place on) with one of `with`.
    fn replace_token(&mut self, data: &mut Vec<u8>, part: fn(u8) -> bool, with: &[&str]) {
        let start = self.rng.below(data.len() + 1);
        let Some(from) = (start..data.len()).find(|&i| data[i].is_ascii_digit()) else {
            return;
        };
        let from = (0..from)
            .rev()
            .take_while(|&i| part(data[i]))
            .last()
            .unwrap_or(from);
        let to = (from..data.len())
            .find(|&i| !part(data[i]))
            .unwrap_or(data.len());
        let token = with[self.rng.below(with.len())].as_bytes();
        data.splice(from..to, token.iter().copied());
    }

    /// Replaces a string's contents with nothing, a huge string, or another string of the document.
    fn replace_string(&mut self, data: &mut Vec<u8>) {
        let quotes: Vec<usize> = (0..data.len()).filter(|&i| data[i] == b'"').collect();
        if quotes.len() < 2 {
            return;
        }
        let pair = self.rng.below(quotes.len() / 2) * 2;
        let (from, to) = (quotes[pair] + 1, quotes[pair + 1]);
        let replacement: Vec<u8> = match self.rng.below(3) {
            0 => Vec::new(),
            1 => vec![b'k'; 1 + self.rng.below(100_000)],
            _ => {
                let other = self.rng.below(quotes.len() / 2) * 2;
                data[quotes[other] + 1..quotes[other + 1]].to_vec()
            }
        };
        data.splice(from..to, replacement);
    }
}

fn is_number_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
}

/// FNV-1a of `data`: a saved input's file name.
pub(crate) fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
