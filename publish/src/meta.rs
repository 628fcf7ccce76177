//! What each object is sent with: the one description of hosting, [`ssg::hosting`].

pub use ssg::hosting::{object_meta, ObjectMeta};
