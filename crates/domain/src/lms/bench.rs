//! The benchmark's course shape (`schulhof demo course`): a teacher and a class of students
//! who share one password and have consented, a course for the class with sections and a
//! mix of material, assignments and quizzes, and some submissions. Built directly in one
//! transaction, so a benchmark prepares in seconds; the platform's pages then serve it like
//! any course.

use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::assignments::submissions::{self, SubmissionRow};
use schulhof_store::lms::assignments::{self, AssignmentRow};
use schulhof_store::lms::courses::{self, NewCourse};
use schulhof_store::lms::sections::{self, SectionRow};
use schulhof_store::{consent, groups as group_store, instances, to_us};
use schulhof_types::{ActivityId, CourseId, GroupId, SectionId, UserId};
use serde::Serialize;

use crate::school::insert_login;
use crate::{DomainError, Platform};

/// The shape of the course to build.
#[derive(Clone, Copy, Debug)]
pub struct BenchShape {
    pub sections: usize,
    pub activities: usize,
    pub students: usize,
}

/// What the benchmark needs to log in and find the course.
#[derive(Clone, Debug, Serialize)]
pub struct BenchCourse {
    pub url: String,
    pub teacher: String,
    pub students: Vec<String>,
    pub password: String,
    #[serde(skip)]
    pub course: CourseId,
    /// The assignments and quizzes, in course order (for grading and submitting).
    pub assignments: Vec<ActivityId>,
    pub quizzes: Vec<ActivityId>,
}

/// The shared password of the benchmark's logins.
pub const BENCH_PASSWORD: &str = "kurs-bench-passwort-1";

/// The kind of the `i`-th activity: mostly material, every 8th an assignment, every 16th
/// (offset 4) a quiz — about the mix of a real course.
fn kind_of(i: usize) -> &'static str {
    match i % 16 {
        7 | 15 => "assignment",
        11 => "quiz",
        1 | 9 => "link",
        3 | 13 => "file",
        _ => "page",
    }
}

impl Platform {
    /// Builds a benchmark course in the school `school` (its number).
    pub async fn system_bench_course(
        &self,
        school: &str,
        shape: BenchShape,
    ) -> Result<BenchCourse, DomainError> {
        if shape.sections == 0 {
            return Err(DomainError::invalid("sections", "at least one section"));
        }
        let hash = self.hasher.hash(BENCH_PASSWORD).await?;
        let now = self.now();
        let us = to_us(now);
        let inst = {
            let mut c = self.db.read().await?;
            instances::find_by_number(&mut c, school.trim())
                .await?
                .ok_or_else(|| DomainError::invalid("instance", "no such school"))?
                .id
        };
        let year = self.current_school_year(inst).await?;
        let mut tx = self.db.begin().await?;
        // A tag keeps logins and names apart when several courses are built in one school.
        let tag = &uuid::Uuid::now_v7().simple().to_string()[20..26];
        let teacher = format!("kl{tag}");
        let t = insert_login(
            &mut tx,
            self,
            inst,
            (&teacher, "lehrer", None, "Kim", "Lehrkraft"),
            Some(&hash),
            None,
        )
        .await?;
        let group = schulhof_store::groups::GroupRow {
            instance_id: inst,
            id: GroupId::new(),
            name: format!("Kurs {tag}"),
            kind: "klasse".into(),
            description: "Benchmark".into(),
        };
        group_store::insert(&mut tx, &group, now).await?;
        group_store::add_member(&mut tx, inst, group.id, t, now).await?;
        let version = consent::current_text(&mut tx, inst)
            .await?
            .map(|v| v.version);
        let mut people: Vec<UserId> = vec![t];
        let mut students = Vec::with_capacity(shape.students);
        for i in 0..shape.students {
            let login = format!("ks{tag}{i:03}");
            let last = format!("Schüler{i:03}");
            let u = insert_login(
                &mut tx,
                self,
                inst,
                (&login, "schueler", None, "Sam", &last),
                Some(&hash),
                None,
            )
            .await?;
            group_store::add_member(&mut tx, inst, group.id, u, now).await?;
            people.push(u);
            students.push(login);
        }
        if let Some(v) = version {
            for u in &people {
                consent::record(&mut tx, inst, *u, v, now).await?;
            }
        }
        let course = CourseId::new();
        courses::insert(
            &mut tx,
            inst,
            &NewCourse {
                id: course,
                name: &format!("Mathematik {tag}"),
                summary: "Ein Kurs in der Form des Benchmarks.",
                group_id: Some(group.id),
                school_year: &year,
                copied_from: None,
                created_by: t,
                now: us,
            },
        )
        .await?;
        let mut section_ids = Vec::with_capacity(shape.sections);
        for s in 0..shape.sections {
            let row = SectionRow {
                id: SectionId::new(),
                course_id: course,
                position: s as i64,
                title: format!("Woche {}", s + 1),
                summary: "Themen und Aufgaben dieser Woche.".into(),
                hidden: false,
                visible_from: None,
            };
            sections::insert(&mut tx, inst, &row).await?;
            section_ids.push(row.id);
        }
        let (mut assignments, mut quizzes) = (Vec::new(), Vec::new());
        for i in 0..shape.activities {
            let kind = kind_of(i);
            let id = ActivityId::new();
            let due =
                matches!(kind, "assignment" | "quiz").then(|| us + (i as i64 + 1) * 86_400_000_000);
            let title = format!("{} {}", kind_title(kind), i + 1);
            let body = "<p>Lies den Text und bearbeite die Aufgaben 1 bis 3.</p>";
            activities::insert(
                &mut tx,
                inst,
                &NewActivity {
                    id,
                    course_id: course,
                    section_id: section_ids[i * shape.sections / shape.activities.max(1)],
                    kind,
                    title: &title,
                    body,
                    url: (kind == "link").then_some("https://www.schulministerium.nrw/"),
                    transcript: "",
                    hidden: false,
                    visible_from: None,
                    restricted: false,
                    completion: if kind == "page" {
                        "view"
                    } else if kind == "link" {
                        "none"
                    } else {
                        "submit"
                    },
                    due_at: due,
                    settings: "{}",
                    now: us,
                },
            )
            .await?;
            match kind {
                "assignment" => {
                    assignments::upsert(
                        &mut tx,
                        inst,
                        &AssignmentRow {
                            activity_id: id,
                            allow_from: None,
                            cutoff_at: None,
                            types: "text,files,audio".into(),
                            group_mode: false,
                            grading: "points".into(),
                            max_points: 10,
                            pass_points: 5,
                            scale: String::new(),
                        },
                    )
                    .await?;
                    assignments.push(id)
                }
                "quiz" => quizzes.push(id),
                _ => {}
            }
        }
        // Every student has handed in the first assignment (the grading overview's 100
        // submissions); the lesson end hands in files to it again.
        if let Some(first) = assignments.first() {
            for u in &people[1..] {
                let row = SubmissionRow {
                    id: uuid::Uuid::now_v7(),
                    activity_id: *first,
                    owner_id: u.0,
                    is_group: false,
                    text: "Meine Lösung: 3/4 + 1/8 = 7/8".into(),
                    status: "submitted".into(),
                    late: false,
                    submitted_by: *u,
                    submitted_at: us,
                };
                submissions::hand_in(&mut tx, inst, &row).await?;
            }
        }
        tx.commit().await?;
        Ok(BenchCourse {
            url: format!("/kurse/{course}"),
            teacher,
            students,
            password: BENCH_PASSWORD.into(),
            course,
            assignments,
            quizzes,
        })
    }
}

fn kind_title(kind: &str) -> &'static str {
    match kind {
        "assignment" => "Aufgabe",
        "quiz" => "Test",
        "link" => "Link",
        "file" => "Arbeitsblatt",
        _ => "Lerntext",
    }
}
