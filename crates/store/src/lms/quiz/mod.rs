//! Quizzes: questions (the engine's JSON per question), attempts and per-student time
//! extensions. The quiz is an `lms_activities` row of kind 'quiz'; rights are decided in
//! the domain before any of these run.

pub mod attempts;
pub mod extensions;
pub mod questions;
