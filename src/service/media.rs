//! Uploaded images (story covers): what is accepted, how it is cleaned, and where it is kept.
//!
//! The format is read from the bytes, never from a name or a declared type: JPEG, PNG, WebP and
//! GIF are accepted (a GIF's first frame only; animation is dropped), everything else is refused.
//! Uploads are limited to [`MAX_BYTES`] and, read from the header before any pixels are decoded,
//! to [`MAX_PIXELS`] (a small file can claim an enormous picture). Every image is decoded, turned
//! upright by its EXIF orientation, scaled down to at most [`MAX_SIDE`] pixels on its long side,
//! and encoded again: JPEG stays JPEG, everything else becomes PNG except an opaque WebP, which
//! becomes JPEG. Re-encoding drops EXIF (GPS position, camera), XMP, IPTC and colour profiles,
//! and anything hidden after the image data. The file is written to `data_dir/media/` through a
//! temporary file and a rename, named by the SHA-256 of the bytes written.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::config::Config;
use crate::db::actor::Actor;
use crate::db::media::{self, Media, NewMedia};
use crate::db::story::Story;
use crate::db::{Conn, initiative, now};
use crate::error::{Error, Result};
use crate::state::AppState;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Largest picture accepted, in pixels (width × height), before it is scaled down.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Longest side of a stored image.
pub const MAX_SIDE: u32 = 2000;
/// Longest side the decoders accept at all (a thin strip of 40 megapixels is no cover).
const MAX_DIMENSION: u32 = 20_000;
/// Memory a decoder may take.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;
/// The form and API field uploads belong to; the caller translates messages by field.
const FIELD: &str = "cover";
const ACCEPTED: &str = "must be a JPEG, PNG, WebP or GIF image";

/// How a stored image is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Jpeg,
    Png,
}

impl Encoding {
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Jpeg => "jpg",
            Encoding::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
        }
    }
}

/// An upload, cleaned and encoded again, ready to be written.
#[derive(Debug)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
}

impl Cleaned {
    /// `{sha256 hex}.{extension}`
    pub fn file_name(&self) -> String {
        let hash = Sha256::digest(&self.bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("{hex}.{}", self.encoding.extension())
    }
}

/// Cleans an upload and keeps it: written under `data_dir/media/` and recorded as uploaded by
/// `uploader`. The same picture uploaded twice is stored once; its first row is returned.
pub async fn store(
    state: &AppState,
    conn: &mut Conn,
    uploader: &Actor,
    bytes: Vec<u8>,
) -> Result<Media> {
    let cleaned = tokio::task::spawn_blocking(move || clean(&bytes)).await??;
    let file_name = cleaned.file_name();
    write_atomically(&directory(&state.config), &file_name, &cleaned.bytes).await?;
    let size = |n: u64| i64::try_from(n).map_err(|e| Error::internal("image size", e));
    let side = |n: u32| i32::try_from(n).map_err(|e| Error::internal("image size", e));
    media::insert(
        conn,
        &NewMedia {
            uploader_id: uploader.id,
            file_name: &file_name,
            content_type: cleaned.encoding.content_type(),
            byte_size: size(cleaned.bytes.len() as u64)?,
            width: side(cleaned.width)?,
            height: side(cleaned.height)?,
            created_at: now(),
        },
    )
    .await
}

/// The upload `media_id`, if `person` may make it the cover of a story in the initiative
/// `initiative_id`: they uploaded it, or another member of that initiative did.
pub async fn usable_as_cover(
    conn: &mut Conn,
    media_id: i64,
    person: &Actor,
    initiative_id: i64,
) -> Result<Media> {
    let found = media::find(conn, media_id)
        .await?
        .ok_or_else(|| Error::invalid(FIELD, format!("there is no upload {media_id}")))?;
    if found.uploader_id == person.id
        || initiative::role_of(conn, initiative_id, found.uploader_id)
            .await?
            .is_some()
    {
        Ok(found)
    } else {
        Err(Error::invalid(
            FIELD,
            "was uploaded by someone outside this initiative; upload the image yourself",
        ))
    }
}

/// A story's cover and its description, if it has one.
pub async fn cover_of(conn: &mut Conn, story: &Story) -> Result<Option<(Media, String)>> {
    let Some(id) = story.cover_media_id else {
        return Ok(None);
    };
    Ok(media::find(conn, id)
        .await?
        .map(|found| (found, story.cover_alt.clone().unwrap_or_default())))
}

/// Where uploads are kept: `data_dir/media/`.
pub fn directory(config: &Config) -> PathBuf {
    config.data_dir.join("media")
}

/// Whether `name` is one this module makes: 64 lowercase hex digits, `.jpg` or `.png`. Nothing
/// else (no `/`, no `..`) can name a file.
pub fn is_file_name(name: &str) -> bool {
    let Some((hash, extension)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && [Encoding::Jpeg, Encoding::Png]
            .iter()
            .any(|e| e.extension() == extension)
}

/// Reads an upload by its content, checks its size, and encodes it again without metadata.
/// CPU-bound: call it on a blocking thread.
pub fn clean(bytes: &[u8]) -> Result<Cleaned> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(
            FIELD,
            format!("is larger than {} MiB", MAX_BYTES / (1024 * 1024)),
        ));
    }
    let format = detect(bytes)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many_pixels());
    }
    // A broken orientation tag is no reason to refuse the picture.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    if picture.width().max(picture.height()) > MAX_SIDE {
        picture = picture.resize(MAX_SIDE, MAX_SIDE, FilterType::CatmullRom);
    }
    let encoding = match format {
        ImageFormat::Jpeg => Encoding::Jpeg,
        ImageFormat::WebP if !picture.color().has_alpha() => Encoding::Jpeg,
        _ => Encoding::Png,
    };
    let bytes = encode(&picture, encoding)?;
    Ok(Cleaned {
        bytes,
        encoding,
        width: picture.width(),
        height: picture.height(),
    })
}

/// The format the bytes are in, if it is one we accept.
pub fn detect(bytes: &[u8]) -> Result<ImageFormat> {
    match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif),
        ) => Ok(format),
        _ => Err(Error::invalid(FIELD, ACCEPTED)),
    }
}

fn encode(picture: &DynamicImage, encoding: Encoding) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let grey = matches!(
        picture.color(),
        ColorType::L8 | ColorType::L16 | ColorType::La8 | ColorType::La16
    );
    let written = match encoding {
        Encoding::Jpeg => {
            let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            if grey {
                DynamicImage::ImageLuma8(picture.to_luma8()).write_with_encoder(encoder)
            } else {
                DynamicImage::ImageRgb8(picture.to_rgb8()).write_with_encoder(encoder)
            }
        }
        Encoding::Png => {
            let encoder = PngEncoder::new(&mut out);
            // Eight bits per channel, transparency kept where there is any.
            let eight_bit = match (grey, picture.color().has_alpha()) {
                (true, false) => DynamicImage::ImageLuma8(picture.to_luma8()),
                (true, true) => DynamicImage::ImageLumaA8(picture.to_luma_alpha8()),
                (false, false) => DynamicImage::ImageRgb8(picture.to_rgb8()),
                (false, true) => DynamicImage::ImageRgba8(picture.to_rgba8()),
            };
            eight_bit.write_with_encoder(encoder)
        }
    };
    written.map_err(|e| Error::internal("encoding an image", e))?;
    Ok(out)
}

fn unreadable(err: ImageError) -> Error {
    match err {
        ImageError::Limits(_) => too_many_pixels(),
        other => {
            tracing::debug!(error = %other, "unreadable upload");
            Error::invalid(FIELD, "cannot be read as an image; it may be damaged")
        }
    }
}

fn too_many_pixels() -> Error {
    Error::invalid(
        FIELD,
        format!(
            "has too many pixels: at most {} megapixels",
            MAX_PIXELS / 1_000_000
        ),
    )
}

/// Writes `name` in `dir` all at once: to a temporary file first, then renamed, so a file by
/// that name is always whole.
async fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let failed = |e: std::io::Error| Error::internal("storing an upload", e);
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let temporary = dir.join(format!(".{}.part", uuid::Uuid::new_v4().simple()));
    let written = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temporary, dir.join(name)).await
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    written.map_err(failed)
}

#[cfg(test)]
mod tests;
