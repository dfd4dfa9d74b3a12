//! Deterministic, realistic import files for tests and benchmarks in every crate: a school
//! drawn from a seed, written as Schild XML ([`schild_xml`]), SVWS JSON ([`svws_json`]) or a
//! table ([`table_csv`]). Names carry what real files carry: umlauts, accents, `ß`,
//! apostrophes, hyphens, double first names and several identical full names.

mod files;
mod names;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, index};
use rand::{Rng, SeedableRng};

pub use files::{schild_xml, svws_json, table_csv};

/// The shape of a generated school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchildSpec {
    pub school_number: String,
    pub students: usize,
    pub teachers: usize,
    /// Each class gives two groups: "Klasse 05A - Schueler" and "Klasse 05A - Lehrer".
    pub classes: usize,
    /// Each course gives two groups: "… (D, GK, 1, Schueler)" and "… Lehrer)".
    pub courses: usize,
    pub courses_per_student: usize,
    /// The last this many pupils have left (Schild state 9).
    pub left_students: usize,
    pub seed: u64,
}

impl SchildSpec {
    /// The benchmark school: 2,000 persons, 150 groups, 9,624 memberships, a 3.1 MB file.
    pub fn bench() -> Self {
        Self {
            school_number: "199999".into(),
            students: 1880,
            teachers: 120,
            classes: 30,
            courses: 44,
            courses_per_student: 3,
            left_students: 20,
            seed: 2025,
        }
    }

    /// A school small enough to read in a test's failure output.
    pub fn small() -> Self {
        Self {
            school_number: "199999".into(),
            students: 12,
            teachers: 4,
            classes: 2,
            courses: 3,
            courses_per_student: 2,
            left_students: 1,
            seed: 7,
        }
    }
}

/// Persons in the generated file.
pub fn person_count(spec: &SchildSpec) -> usize {
    spec.students + spec.teachers
}

/// Groups the generated file yields after reading (levels 1 and 2 excluded).
pub fn group_count(spec: &SchildSpec) -> usize {
    2 + 2 * spec.classes + 2 * spec.courses
}

/// Person-in-group memberships the generated Schild file holds (levels 1 and 2 excluded).
pub fn membership_count(spec: &SchildSpec) -> usize {
    let per_student =
        1 + usize::from(spec.classes > 0) + spec.courses_per_student.min(spec.courses);
    let class_teachers = spec.classes * spec.teachers.min(2);
    let course_teachers = if spec.teachers > 0 { spec.courses } else { 0 };
    spec.students * per_student + spec.teachers + class_teachers + course_teachers
}

pub(crate) struct Human {
    pub first: String,
    pub last: String,
    pub birthday: Option<NaiveDate>,
    pub email: Option<String>,
    pub class: Option<usize>,
    pub courses: Vec<usize>,
    pub left: bool,
}

pub(crate) struct Course {
    pub subject: &'static str,
    pub kind: &'static str,
    pub number: usize,
}

impl Course {
    pub(crate) fn code(&self) -> String {
        format!("{}-{}{}", self.subject, self.kind, self.number)
    }
}

/// A generated school; every file format is written from the same one.
pub(crate) struct School {
    pub students: Vec<Human>,
    pub teachers: Vec<Human>,
    pub classes: Vec<String>,
    pub courses: Vec<Course>,
    pub class_teachers: Vec<Vec<usize>>,
    pub course_teacher: Vec<Option<usize>>,
}

pub(crate) fn school(spec: &SchildSpec) -> School {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let classes: Vec<String> = (0..spec.classes).map(class_label).collect();
    let courses: Vec<Course> = (0..spec.courses).map(course).collect();
    let first_left = spec.students.saturating_sub(spec.left_students);
    let students = (0..spec.students)
        .map(|i| {
            let (first, last) = names::student(i, &mut rng);
            let take = spec.courses_per_student.min(spec.courses);
            Human {
                first,
                last,
                birthday: NaiveDate::from_ymd_opt(
                    rng.random_range(2008..=2015),
                    rng.random_range(1..=12),
                    rng.random_range(1..=28),
                ),
                email: None,
                class: (spec.classes > 0).then_some(i % spec.classes.max(1)),
                courses: index::sample(&mut rng, spec.courses, take).into_vec(),
                left: i >= first_left,
            }
        })
        .collect();
    let teachers = (0..spec.teachers)
        .map(|i| {
            let (first, last) = names::teacher(i, &mut rng);
            // Every fifth teacher has no address in Schild.
            let email = (i % 5 != 0).then(|| {
                format!(
                    "{}.{}@schule-{}.example.invalid",
                    ascii(&first),
                    ascii(&last),
                    spec.school_number
                )
            });
            Human {
                first,
                last,
                birthday: None,
                email,
                class: None,
                courses: Vec::new(),
                left: false,
            }
        })
        .collect();
    let t = spec.teachers;
    School {
        students,
        teachers,
        class_teachers: (0..spec.classes)
            .map(|c| (0..t.min(2)).map(|k| (2 * c + k) % t).collect())
            .collect(),
        course_teacher: (0..spec.courses)
            .map(|c| (t > 0).then(|| (c * 7 + 3) % t))
            .collect(),
        classes,
        courses,
    }
}

fn class_label(i: usize) -> String {
    const GRADES: [&str; 6] = ["05", "06", "07", "08", "09", "10"];
    const UPPER: [&str; 3] = ["EF", "Q1", "Q2"];
    match i {
        0..30 => format!("{}{}", GRADES[i / 5], ["A", "B", "C", "D", "E"][i % 5]),
        30..33 => UPPER[i - 30].to_string(),
        _ => format!("K{i}"),
    }
}

fn course(j: usize) -> Course {
    const SUBJECTS: [&str; 16] = [
        "D", "E", "M", "BI", "CH", "PH", "GE", "EK", "KU", "MU", "SP", "F", "L", "IF", "PA", "SW",
    ];
    Course {
        subject: SUBJECTS[j % SUBJECTS.len()],
        kind: if j % 5 == 4 { "LK" } else { "GK" },
        number: j / SUBJECTS.len() + 1,
    }
}

/// `Jürgen` → `juergen`, for mail addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            'ä' | 'Ä' => "ae".chars().collect::<Vec<_>>(),
            'ö' | 'Ö' => "oe".chars().collect(),
            'ü' | 'Ü' => "ue".chars().collect(),
            'ß' => "ss".chars().collect(),
            'é' | 'è' | 'É' => vec!['e'],
            c if c.is_ascii_alphanumeric() => c.to_lowercase().collect(),
            ' ' | '-' => vec!['-'],
            _ => Vec::new(),
        })
        .collect()
}

pub(crate) fn pick<'a>(rng: &mut StdRng, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("X")
}
