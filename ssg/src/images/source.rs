//! One source image: what its header says (format, size, EXIF orientation), checked against
//! the limits before any pixel is decoded, and the variants a build makes of it, named by a
//! hash of its bytes and the settings.

use std::io::Cursor;

use image::{ImageDecoder, ImageFormat, ImageReader, Limits};

use super::settings;

/// The formats a source image may have, which are also the formats of its fallback variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A photograph.
    Jpeg,
    /// A drawing, a screenshot, an image with transparency.
    Png,
    /// The smaller variant every browser of the last years reads.
    WebP,
}

impl Format {
    /// The extension of its variants.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
        }
    }

    /// Its MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
        }
    }
}

/// One file a build makes of a source image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    /// File name relative to the page's folder: `anh.3f2a1b9c.960w.webp`.
    pub name: String,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Its format.
    pub format: Format,
}

/// A source image of a page, as its header describes it, with the variants made of it.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// Its name in the page bundle: `anh.jpg`.
    pub name: String,
    /// Its format (from its bytes, not its name).
    pub format: Format,
    /// Its width and height once turned upright (EXIF orientation applied).
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The hash of its bytes and the settings, 8 hex digits, in every variant's name.
    pub fingerprint: String,
    /// Every variant, the fallback format's first, each format from the narrowest.
    pub variants: Vec<Variant>,
}

impl Source {
    /// The variants in `format`, from the narrowest.
    pub fn of_format(&self, format: Format) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The widest variant in the source's own format: the `<img src>`.
    pub fn fallback(&self) -> Option<&Variant> {
        self.of_format(self.format).last()
    }
}

/// Why an image cannot be used, in words for the editor (the caller names the file).
pub(crate) type Problem = (String, String);

/// The limits every decode runs under: a decompression bomb (a small file claiming a huge
/// size) fails before its pixels are allocated.
pub(crate) fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(settings::MAX_SIDE);
    l.max_image_height = Some(settings::MAX_SIDE);
    l.max_alloc = Some(settings::MAX_ALLOC);
    l
}

/// A reader of an image in memory.
pub(crate) type Reader<'b> = ImageReader<Cursor<&'b [u8]>>;

/// A reader of `bytes` with its format taken from the bytes, under [`limits`].
pub(crate) fn reader(bytes: &[u8]) -> Result<(Reader<'_>, Format), Problem> {
    let mut r = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(&e.to_string()))?;
    let format = match r.format() {
        Some(ImageFormat::Jpeg) => Format::Jpeg,
        Some(ImageFormat::Png) => Format::Png,
        _ => {
            return Err((
                "is not a JPEG or PNG image (its bytes are of another format, or damaged)".into(),
                "save it again as JPEG (photographs) or PNG (drawings) under the same name".into(),
            ))
        }
    };
    r.limits(limits());
    Ok((r, format))
}

/// The problem of an image the decoder refused.
pub(crate) fn unreadable(why: &str) -> Problem {
    (
        format!("cannot be read as an image: {why}"),
        "the file is damaged or cut short: export it again from the original".into(),
    )
}

/// Reads the header of the image `name`: its format, size
/// and orientation, and plans its variants. Nothing is decoded yet.
pub(crate) fn probe(name: &str, bytes: &[u8]) -> Result<Source, Problem> {
    let (r, format) = reader(bytes)?;
    if format == Format::Jpeg && !jpeg_is_whole(bytes) {
        return Err(unreadable(
            "it is cut short (its image data has no end marker)",
        ));
    }
    let mut decoder = r.into_decoder().map_err(|e| decode_problem(&e))?;
    let (w, h) = decoder.dimensions();
    check_size(w, h)?;
    let turned = matches!(
        decoder.orientation().map_err(|e| decode_problem(&e))?,
        image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH
    );
    let (width, height) = if turned { (h, w) } else { (w, h) };
    let fingerprint = fingerprint(bytes);
    let variants = plan(name, &fingerprint, format, width, height);
    Ok(Source {
        name: name.to_string(),
        format,
        width,
        height,
        fingerprint,
        variants,
    })
}

/// Whether a JPEG has its end marker (EOI) after its image data. The decoder fills what a
/// file cut short lacks with grey, as browsers do, where the build must refuse it. The
/// segments before the first scan (SOS) are skipped by their lengths, as an EXIF thumbnail
/// among them has its own end marker; in the scans, `FF D9` is only ever the end marker (a
/// data byte `FF` is written `FF 00`). Data after the end marker, which some cameras add, is
/// allowed.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xff {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xff {
            at += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if marker == 0xda {
            let scans = &bytes[(at + 2 + len).min(bytes.len())..];
            return memchr::memmem::find(scans, &[0xff, 0xd9]).is_some();
        }
        at += 2 + len;
    }
    false
}

/// The problem of an image error: a limit is the editor's to fix differently from damage.
pub(crate) fn decode_problem(e: &image::ImageError) -> Problem {
    match e {
        image::ImageError::Limits(_) => too_large(),
        other => unreadable(&other.to_string()),
    }
}

fn too_large() -> Problem {
    (
        format!(
            "is too large to process safely (over {0}×{0} pixels, or over {1} MiB once decoded)",
            settings::MAX_SIDE,
            settings::MAX_ALLOC >> 20
        ),
        "resize it to at most 4000 pixels wide before adding it".into(),
    )
}

/// Refuses a size over the limits from the header alone, before the decoder allocates.
fn check_size(w: u32, h: u32) -> Result<(), Problem> {
    if w == 0 || h == 0 {
        return Err(unreadable("it has no pixels"));
    }
    let bytes = u64::from(w) * u64::from(h) * 4;
    if w > settings::MAX_SIDE || h > settings::MAX_SIDE || bytes > settings::MAX_ALLOC {
        return Err(too_large());
    }
    Ok(())
}

/// 8 hex digits of a hash of the bytes and the settings: a new image, or new settings, give
/// new names, so a name stands for its bytes (and the CDN may keep it a year).
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    h.write(settings::VERSION.as_bytes());
    h.write(&(bytes.len() as u64).to_le_bytes());
    h.write(bytes);
    format!("{:08x}", h.finish() >> 32)
}

use std::hash::Hasher as _;

/// The variants of an image `width`×`height` (upright): every width of
/// [`settings::WIDTHS`] below its own, and its own width when under the largest (never
/// upscaled); each in its own format and in WebP.
pub(crate) fn plan(
    name: &str,
    fingerprint: &str,
    format: Format,
    width: u32,
    height: u32,
) -> Vec<Variant> {
    let mut widths: Vec<u32> = settings::WIDTHS
        .iter()
        .copied()
        .filter(|&w| w < width)
        .collect();
    let top = width.min(settings::WIDTHS[settings::WIDTHS.len() - 1]);
    if widths.last() != Some(&top) {
        widths.push(top);
    }
    let stem = match name.rfind('.') {
        Some(dot) if !name[dot..].contains('/') => &name[..dot],
        _ => name,
    };
    [format, Format::WebP]
        .iter()
        .flat_map(|&f| {
            widths.iter().map(move |&w| Variant {
                name: format!("{stem}.{fingerprint}.{w}w.{}", f.ext()),
                width: w,
                // Rounded, at least one pixel.
                height: ((u64::from(height) * u64::from(w) + u64::from(width) / 2)
                    / u64::from(width))
                .max(1) as u32,
                format: f,
            })
        })
        .collect()
}

/// Whether a bundle file is an image the build processes (by its name: `.jpg`, `.jpeg`,
/// `.png`, in any case). Other images (SVG, GIF, WebP) are copied as they are.
pub(crate) fn is_processed(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"].iter().any(|e| lower.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_below_the_image_and_its_own_never_upscaled() {
        let ws = |w| {
            plan("a.jpg", "00000000", Format::Jpeg, w, w / 2)
                .iter()
                .filter(|v| v.format == Format::Jpeg)
                .map(|v| v.width)
                .collect::<Vec<_>>()
        };
        assert_eq!(ws(4000), vec![480, 960, 1600]);
        assert_eq!(ws(1600), vec![480, 960, 1600]);
        assert_eq!(ws(1200), vec![480, 960, 1200]);
        assert_eq!(ws(300), vec![300]);
        let v = plan("anh/b.png", "3f2a1b9c", Format::Png, 1000, 750);
        assert_eq!(v.len(), 6, "480, 960 and its own 1000, twice");
        assert_eq!(v[0].name, "anh/b.3f2a1b9c.480w.png");
        assert_eq!(v[0].height, 360);
        assert_eq!(v[5].name, "anh/b.3f2a1b9c.1000w.webp");
    }

    #[test]
    fn a_header_claiming_a_huge_size_is_refused_before_decoding() {
        assert!(check_size(100_000, 100_000).is_err());
        assert!(
            check_size(11_000, 11_000).is_err(),
            "over the allocation limit"
        );
        assert!(check_size(4000, 3000).is_ok());
        assert!(check_size(0, 10).is_err());
    }

    #[test]
    fn a_jpeg_cut_short_has_no_end_marker() {
        let mut whole = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut whole)
            .encode(
                &[200u8; 3 * 64 * 64],
                64,
                64,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        assert!(jpeg_is_whole(&whole));
        let mut trailing = whole.clone();
        trailing.extend(b"camera data");
        assert!(jpeg_is_whole(&trailing));
        assert!(!jpeg_is_whole(&whole[..whole.len() - 2]));
        assert!(!jpeg_is_whole(&whole[..whole.len() / 2]));
        assert!(!jpeg_is_whole(&whole[..10]));
    }

    #[test]
    fn the_fingerprint_follows_the_bytes() {
        assert_eq!(fingerprint(b"a"), fingerprint(b"a"));
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
        assert_eq!(fingerprint(b"a").len(), 8);
    }
}
