//! The demo course's assignment: a short task of class 5a's mathematics course that takes
//! text, a photo of the exercise book or a spoken answer, graded in points.

use chrono::Duration;
use schulhof_types::{ActivityId, CourseId, SectionId};

use super::{AssignmentInput, Grading, SubmissionType};
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Adds the demo assignment to `section` of the demo `course`, due in a week.
    pub async fn seed_demo_assignment(
        &self,
        teacher: &Actor,
        course: CourseId,
        section: SectionId,
    ) -> Result<ActivityId, DomainError> {
        let now = self.now();
        let input = AssignmentInput {
            title: "Brüche kürzen erklären".into(),
            instructions: "<p>Erkläre in eigenen Worten, wie man <strong>6/8</strong> kürzt. \
                 Du kannst schreiben, ein Foto deines Hefts hochladen oder deine Erklärung \
                 aufnehmen.</p>"
                .into(),
            transcript: String::new(),
            allow_from: None,
            due_at: Some(now + Duration::days(7)),
            cutoff_at: Some(now + Duration::days(14)),
            types: SubmissionType::ALL.to_vec(),
            group_mode: false,
            grading: Grading::Points { max: 10, pass: 5 },
            completion: "submit".into(),
            hidden: false,
        };
        self.lms_assignment_create(teacher, course, section, &input)
            .await
    }
}
