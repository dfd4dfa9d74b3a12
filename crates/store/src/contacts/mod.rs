//! Address books: the books with their shares and sync tokens, the contacts (the vCard text
//! as stored plus indexed columns), the tombstones of deleted contacts, the people the
//! school address book is generated from, and the school's CardDAV switch.

pub mod books;
pub mod cards;
pub mod directory;
pub mod settings;
