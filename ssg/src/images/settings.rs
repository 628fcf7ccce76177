//! The settings of image processing. A change of any of them must change [`VERSION`], which
//! is hashed into every variant's name, so no name stands for other bytes.

/// Hashed into every variant's name: change it with any setting below, or the encoders.
pub(crate) const VERSION: &str =
    "images 2: 480,960,1600; jpeg 80; webp 75; catmull-rom (fast_image_resize 5)";

/// The widths made of an image, from the narrowest (never more than the image's own).
pub(crate) const WIDTHS: &[u32] = &[480, 960, 1600];

/// JPEG quality (1–100).
pub(crate) const JPEG_QUALITY: u8 = 80;

/// WebP quality (0–100, lossy).
pub(crate) const WEBP_QUALITY: f32 = 75.0;

/// The widest or tallest image decoded.
pub(crate) const MAX_SIDE: u32 = 12_000;

/// The most memory one decoded image may take.
pub(crate) const MAX_ALLOC: u64 = 256 << 20;
