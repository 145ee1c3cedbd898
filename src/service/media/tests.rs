//! Uploads are read by their content, refused when they are not images or too big, and come out
//! without their metadata, upright and at most [`MAX_SIDE`] pixels long.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

/// A picture with some detail in it, so encoders have something to do.
fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 13 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn encoded(picture: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encodes");
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(
        DynamicImage::ImageRgb8(picture(width, height)),
        ImageFormat::Png,
    )
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(
        DynamicImage::ImageRgb8(picture(width, height)),
        ImageFormat::Jpeg,
    )
}

fn field_of(err: Error) -> (&'static str, String) {
    match err {
        Error::Invalid { field, message } => (field, message),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

/// One TIFF directory entry, big-endian.
fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    out.extend(tag.to_be_bytes());
    out.extend(kind.to_be_bytes());
    out.extend(count.to_be_bytes());
    out.extend(value.to_be_bytes());
}

/// An APP1 Exif segment as a phone writes it: an orientation, and a GPS directory with `place`
/// as its map datum text.
fn exif_segment(orientation: u16, place: &str) -> Vec<u8> {
    let mut tiff = b"MM\x00\x2a".to_vec();
    tiff.extend(8u32.to_be_bytes());
    // IFD0: orientation and a pointer to the GPS directory right after it.
    let gps_at = 8 + 2 + 2 * 12 + 4;
    tiff.extend(2u16.to_be_bytes());
    entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation) << 16);
    entry(&mut tiff, 0x8825, 4, 1, gps_at);
    tiff.extend(0u32.to_be_bytes());
    // GPS IFD: GPSMapDatum, ASCII, stored after the directory.
    let text = format!("{place}\0");
    let text_at = gps_at + 2 + 12 + 4;
    tiff.extend(1u16.to_be_bytes());
    entry(&mut tiff, 0x0012, 2, text.len() as u32, text_at);
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(text.as_bytes());
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    segment
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG whose frame header claims `width` × `height`, with the pixel data of a tiny one.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg(8, 8);
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

#[test]
fn the_format_comes_from_the_content_not_the_name() {
    // The API and forms never pass a name or a type on: a PNG called `foto.jpg` is a PNG.
    let png = png(30, 20);
    assert_eq!(detect(&png).unwrap(), ImageFormat::Png);
    let cleaned = clean(&png).unwrap();
    assert_eq!(cleaned.encoding, Encoding::Png);
    assert_eq!((cleaned.width, cleaned.height), (30, 20));
    assert!(cleaned.file_name().ends_with(".png"));
    assert!(
        is_file_name(&cleaned.file_name()),
        "{}",
        cleaned.file_name()
    );

    let jpeg = clean(&jpeg(30, 20)).unwrap();
    assert_eq!(jpeg.encoding, Encoding::Jpeg);
    assert_eq!(&jpeg.bytes[..2], [0xFF, 0xD8]);
}

#[test]
fn what_is_not_an_accepted_image_is_refused() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    // A real format we do not take (the decoder is not even compiled in).
    let bmp = b"BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00";
    let mut truncated = png(40, 40);
    truncated.truncate(60);
    for (what, bytes) in [
        (
            "text called .png",
            b"Dit is geen plaatje, maar tekst.\n".as_slice(),
        ),
        ("SVG", svg.as_slice()),
        ("BMP", bmp.as_slice()),
        ("nothing", b"".as_slice()),
        ("a damaged PNG", truncated.as_slice()),
    ] {
        let (field, message) = field_of(clean(bytes).expect_err(what));
        assert_eq!(field, "cover", "{what}");
        assert!(!message.is_empty(), "{what}");
    }
    let (_, message) = field_of(clean(b"GIF? no").unwrap_err());
    assert_eq!(message, "must be a JPEG, PNG, WebP or GIF image");
}

#[test]
fn exif_with_a_gps_position_is_dropped_and_the_orientation_applied() {
    let place = "52.3302 N 6.2755 E achter de buurtkamer";
    let plain = jpeg(40, 20);
    let mut with_exif = plain[..2].to_vec();
    with_exif.extend(exif_segment(6, place));
    with_exif.extend(&plain[2..]);
    // The test picture really carries what must go.
    assert!(contains(&with_exif, place.as_bytes()));
    assert!(contains(&with_exif, b"Exif\0\0"));

    let cleaned = clean(&with_exif).unwrap();
    assert!(!contains(&cleaned.bytes, place.as_bytes()));
    assert!(!contains(&cleaned.bytes, b"Exif"));
    assert!(
        !contains(&cleaned.bytes, &[0xFF, 0xE1]),
        "an APP1 segment is left"
    );
    // Orientation 6: the camera was turned a quarter; stored upright.
    assert_eq!((cleaned.width, cleaned.height), (20, 40));
    let back = image::load_from_memory(&cleaned.bytes).unwrap();
    assert_eq!((back.width(), back.height()), (20, 40));
}

#[test]
fn too_many_bytes_or_pixels_are_refused_before_decoding() {
    let mut huge = png(10, 10);
    huge.resize(MAX_BYTES + 1, 0);
    let (field, message) = field_of(clean(&huge).unwrap_err());
    assert_eq!(field, "cover");
    assert!(message.contains("8 MiB"), "{message}");

    // A few hundred bytes that claim gigapixels (a decompression bomb), and a picture inside
    // the side limit with more than 40 megapixels.
    for (width, height) in [(60_000, 60_000), (8_000, 8_000)] {
        let bomb = jpeg_claiming(width, height);
        assert!(bomb.len() < 2_000);
        let started = std::time::Instant::now();
        let (field, message) = field_of(clean(&bomb).unwrap_err());
        assert_eq!(field, "cover");
        assert!(
            message.contains("megapixels"),
            "{width}×{height}: {message}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}

#[test]
fn large_pictures_are_scaled_down_to_the_long_side() {
    let cleaned = clean(&png(2400, 300)).unwrap();
    assert_eq!((cleaned.width, cleaned.height), (MAX_SIDE, 250));
    let back = image::load_from_memory(&cleaned.bytes).unwrap();
    assert_eq!((back.width(), back.height()), (MAX_SIDE, 250));
    // Small ones keep their size.
    let small = clean(&png(300, 2000)).unwrap();
    assert_eq!((small.width, small.height), (300, 2000));
}

#[test]
fn gif_and_webp_are_accepted_and_stored_as_png_or_jpeg() {
    let gif = encoded(DynamicImage::ImageRgb8(picture(16, 12)), ImageFormat::Gif);
    assert_eq!(detect(&gif).unwrap(), ImageFormat::Gif);
    let cleaned = clean(&gif).unwrap();
    assert_eq!(cleaned.encoding, Encoding::Png);
    assert_eq!((cleaned.width, cleaned.height), (16, 12));

    let opaque = encoded(DynamicImage::ImageRgb8(picture(16, 12)), ImageFormat::WebP);
    assert_eq!(clean(&opaque).unwrap().encoding, Encoding::Jpeg);
    let see_through = RgbaImage::from_fn(16, 12, |x, _| Rgba([200, 10, 10, (x * 16) as u8]));
    let see_through = encoded(DynamicImage::ImageRgba8(see_through), ImageFormat::WebP);
    let cleaned = clean(&see_through).unwrap();
    assert_eq!(cleaned.encoding, Encoding::Png);
    assert!(
        image::load_from_memory(&cleaned.bytes)
            .unwrap()
            .color()
            .has_alpha()
    );
}

#[test]
fn the_same_picture_gets_the_same_name() {
    let bytes = png(20, 20);
    assert_eq!(
        clean(&bytes).unwrap().file_name(),
        clean(&bytes).unwrap().file_name()
    );
    assert_ne!(
        clean(&bytes).unwrap().file_name(),
        clean(&png(20, 21)).unwrap().file_name()
    );
}

#[test]
fn only_names_made_here_are_file_names() {
    let hash = "0123456789abcdef".repeat(4);
    assert!(is_file_name(&format!("{hash}.jpg")));
    assert!(is_file_name(&format!("{hash}.png")));
    for bad in [
        format!("{hash}.svg"),
        format!("{hash}.jpg.png"),
        format!("{}.jpg", hash.to_uppercase()),
        format!("{}.jpg", &hash[1..]),
        format!("../{}.jpg", &hash[3..]),
        "..".to_owned(),
        "".to_owned(),
        hash.clone(),
    ] {
        assert!(!is_file_name(&bad), "{bad}");
    }
}
