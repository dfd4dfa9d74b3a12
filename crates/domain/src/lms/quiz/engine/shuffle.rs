//! The order an attempt shows: questions and their choices shuffled from the seed stored
//! with the attempt, so reloading the page (or reviewing it later) shows the same order.
//! Our own small generator (SplitMix64), so the order never changes with a library update.

use super::{Body, Question};

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number below `n` (n ≥ 1); the tiny modulo bias does not matter here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn shuffled(seed: u64, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
    v
}

/// The order of one attempt: `questions[k]` is the index (in the quiz) of the question
/// shown k-th; `items[i]` the order of question i's choices or right items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub questions: Vec<usize>,
    pub items: Vec<Vec<usize>>,
}

/// The order for `seed`. `keys` name the questions stably (derived from their ids), so a
/// question's choices keep their order when other questions are added. Matching right
/// items are always shuffled: in the defined order they would give the answer away.
pub fn order_for(
    seed: u64,
    questions: &[(u64, &Question)],
    shuffle_questions: bool,
    shuffle_answers: bool,
) -> Order {
    let qs = if shuffle_questions {
        shuffled(seed, questions.len())
    } else {
        (0..questions.len()).collect()
    };
    let items = questions
        .iter()
        .map(|(key, q)| {
            let (n, always) = match &q.body {
                Body::SingleChoice { choices } | Body::MultipleChoice { choices, .. } => {
                    (choices.len(), false)
                }
                Body::Matching { pairs } => (pairs.len(), true),
                _ => (0, false),
            };
            if shuffle_answers || always {
                shuffled(seed ^ key.rotate_left(17), n)
            } else {
                (0..n).collect()
            }
        })
        .collect();
    Order {
        questions: qs,
        items,
    }
}
