//! Making the variants of one source image: decoded once under the limits, turned upright
//! by its EXIF orientation, resized to each width from the source (fast_image_resize, SIMD;
//! the image crate's resize took ten times as long), and encoded (JPEG or PNG with the image
//! crate, lossy WebP with libwebp). Nothing of the source's metadata (EXIF: GPS, camera,
//! time) is carried into a variant: each is encoded from pixels alone.

use std::io::Cursor;

use fast_image_resize as fir;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, RgbImage, RgbaImage};

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
    let mut resizer = fir::Resizer::new();
    let sized: Vec<(u32, DynamicImage)> = src
        .of_format(src.format)
        .map(|v| {
            let next = if (img.width(), img.height()) == (v.width, v.height) {
                img.clone()
            } else {
                resize(&mut resizer, &img, v.width, v.height)?
            };
            Ok((v.width, next))
        })
        .collect::<Result<_, Problem>>()?;
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

/// `img` (8-bit RGB or RGBA) resized to `w`×`h` with the Catmull-Rom filter (alpha
/// premultiplied while resizing, so transparent pixels do not darken the edges).
fn resize(
    resizer: &mut fir::Resizer,
    img: &DynamicImage,
    w: u32,
    h: u32,
) -> Result<DynamicImage, Problem> {
    let failed = |e: &dyn std::fmt::Display| super::source::unreadable(&format!("resizing: {e}"));
    let pixels = match img {
        DynamicImage::ImageRgba8(_) => fir::PixelType::U8x4,
        _ => fir::PixelType::U8x3,
    };
    let from = fir::images::ImageRef::new(img.width(), img.height(), img.as_bytes(), pixels)
        .map_err(|e| failed(&e))?;
    let mut to = fir::images::Image::new(w, h, pixels);
    let opts = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::CatmullRom));
    resizer
        .resize(&from, &mut to, &opts)
        .map_err(|e| failed(&e))?;
    let raw = to.into_vec();
    let out = match pixels {
        fir::PixelType::U8x4 => RgbaImage::from_raw(w, h, raw).map(DynamicImage::ImageRgba8),
        _ => RgbImage::from_raw(w, h, raw).map(DynamicImage::ImageRgb8),
    };
    out.ok_or_else(|| failed(&"the resized image has another size"))
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
