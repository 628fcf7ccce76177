//! Making the variants of one source image: decoded once under the limits, turned upright
//! by its EXIF orientation, resized from the widest down, and encoded (JPEG or PNG with the
//! image crate, lossy WebP with libwebp). Nothing of the source's metadata (EXIF: GPS, camera,
//! time) is carried into a variant: each is encoded from pixels alone.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder};

use super::settings;
use super::source::{decode_problem, reader, Format, Problem, Source};

/// Decodes `bytes` (the source `src`) upright, under the limits.
pub(crate) fn decode(bytes: &[u8]) -> Result<DynamicImage, Problem> {
    let (r, _) = reader(bytes)?;
    let mut decoder = r.into_decoder().map_err(|e| decode_problem(&e))?;
    let orientation = decoder.orientation().map_err(|e| decode_problem(&e))?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_problem(&e))?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Every variant of `src`, in its order, made from the source's `bytes`.
pub(crate) fn variants(src: &Source, bytes: &[u8]) -> Result<Vec<Vec<u8>>, Problem> {
    let img = decode(bytes)?;
    // The decoded size must be the header's: a file whose header lies is damaged.
    if (img.width(), img.height()) != (src.width, src.height) {
        return Err(super::source::unreadable(
            "its pixels do not match the size its header gives",
        ));
    }
    let img = match src.format {
        // JPEG has no alpha; 16-bit PNGs and palettes are made 8-bit RGBA once.
        Format::Jpeg => DynamicImage::ImageRgb8(img.into_rgb8()),
        _ if img.color().has_alpha() => DynamicImage::ImageRgba8(img.into_rgba8()),
        _ => DynamicImage::ImageRgb8(img.into_rgb8()),
    };
    // Widest first, each from the one before: a step of at most about 2× keeps the quality
    // of a resize from the source at a fraction of the work.
    let mut widths: Vec<(u32, u32)> = src
        .of_format(src.format)
        .map(|v| (v.width, v.height))
        .collect();
    widths.reverse();
    let mut sized: Vec<(u32, DynamicImage)> = Vec::with_capacity(widths.len());
    for (w, h) in widths {
        let from = sized.last().map(|(_, i)| i).unwrap_or(&img);
        let next = if (from.width(), from.height()) == (w, h) {
            from.clone()
        } else {
            from.resize_exact(w, h, FilterType::CatmullRom)
        };
        sized.push((w, next));
    }
    src.variants
        .iter()
        .map(|v| {
            let pixels = sized
                .iter()
                .find(|(w, _)| *w == v.width)
                .map(|(_, i)| i)
                .ok_or_else(|| super::source::unreadable("no variant of that width"))?;
            encode(pixels, v.format)
        })
        .collect()
}

/// Encodes `img` in `format`.
fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, Problem> {
    let failed = |e: &dyn std::fmt::Display| {
        (
            format!("could not be encoded as {}: {e}", format.ext()),
            "report this with the image attached".to_string(),
        )
    };
    let mut out = Vec::new();
    let (w, h) = (img.width(), img.height());
    match (format, img) {
        (Format::Jpeg, img) => JpegEncoder::new_with_quality(&mut out, settings::JPEG_QUALITY)
            .write_image(img.as_bytes(), w, h, img.color().into())
            .map_err(|e| failed(&e))?,
        (Format::Png, img) => PngEncoder::new_with_quality(
            Cursor::new(&mut out),
            CompressionType::Default,
            PngFilter::Adaptive,
        )
        .write_image(img.as_bytes(), w, h, img.color().into())
        .map_err(|e| failed(&e))?,
        (Format::WebP, DynamicImage::ImageRgba8(px)) => {
            out = webp::Encoder::from_rgba(px.as_raw(), w, h)
                .encode_simple(false, settings::WEBP_QUALITY)
                .map_err(|e| failed(&format!("{e:?}")))?
                .to_vec()
        }
        (Format::WebP, DynamicImage::ImageRgb8(px)) => {
            out = webp::Encoder::from_rgb(px.as_raw(), w, h)
                .encode_simple(false, settings::WEBP_QUALITY)
                .map_err(|e| failed(&format!("{e:?}")))?
                .to_vec()
        }
        (Format::WebP, other) => {
            let px = other.to_rgba8();
            out = webp::Encoder::from_rgba(px.as_raw(), w, h)
                .encode_simple(false, settings::WEBP_QUALITY)
                .map_err(|e| failed(&format!("{e:?}")))?
                .to_vec()
        }
    }
    Ok(out)
}
