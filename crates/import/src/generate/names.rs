//! Name pools. The first persons get fixed names so every generated file holds the hard
//! cases (identical full names, umlauts, accents, ß, apostrophes, hyphens); the rest are
//! drawn from the pools, which again yields identical full names in a large school.

use rand::rngs::StdRng;

use super::pick;

const FIXED_STUDENTS: &[(&str, &str)] = &[
    ("Anna Lena", "Müller"),
    ("Anna Lena", "Müller"),
    ("Ayşe", "Özdemir"),
    ("José", "O'Brien"),
    ("Renée", "Weiß"),
    ("Zoë", "Meyer-Lüdenscheidt"),
    ("Jan-Ole", "D'Angelo"),
];

const FIXED_TEACHERS: &[(&str, &str)] = &[("Jürgen", "Groß"), ("Chloé", "Schäfer-Nguyễn")];

const FIRST: &[&str] = &[
    "Lea",
    "Jonas",
    "Anna Lena",
    "José",
    "Renée",
    "Jürgen",
    "Mia",
    "Ben",
    "Emil",
    "Hannah",
    "Lukas",
    "Sophie",
    "Noah",
    "Leonie",
    "Elias",
    "Marie",
    "Finn",
    "Émile",
    "Ayşe",
    "Mehmet",
    "Jan-Ole",
    "Chloé",
    "Søren",
    "Zoë",
    "Paul",
    "Emma",
    "Luca",
    "Maximilian",
    "Lina",
    "Ole",
];

const LAST: &[&str] = &[
    "Müller",
    "Özdemir",
    "Schmidt",
    "Weiß",
    "Groß",
    "O'Brien",
    "Meyer-Lüdenscheidt",
    "Schäfer",
    "Krüger",
    "Brandt",
    "Kowalski",
    "Hoffmann",
    "Wagner",
    "Becker",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Köhler",
    "König",
    "Möller",
    "Jäger",
    "Böhm",
    "Krämer",
    "Yılmaz",
    "Nguyễn",
    "D'Angelo",
    "Kühn",
    "Strauß",
];

pub(super) fn student(i: usize, rng: &mut StdRng) -> (String, String) {
    match FIXED_STUDENTS.get(i) {
        Some((f, l)) => (f.to_string(), l.to_string()),
        None => (pick(rng, FIRST).to_string(), pick(rng, LAST).to_string()),
    }
}

pub(super) fn teacher(i: usize, rng: &mut StdRng) -> (String, String) {
    match FIXED_TEACHERS.get(i) {
        Some((f, l)) => (f.to_string(), l.to_string()),
        None => (pick(rng, FIRST).to_string(), pick(rng, LAST).to_string()),
    }
}
