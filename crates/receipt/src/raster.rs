//! A 1-bit image in the printer's own layout, and its PNG for the UI preview.

use std::fmt;

/// A black-and-white image, one bit per printer dot.
///
/// Rows are packed eight dots to a byte, most significant bit first, and a set bit is ink:
/// exactly the layout of the ESC/POS raster command `GS v 0`, so a band of rows is sent as
/// it is stored, with no conversion.
#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

impl Raster {
    /// A white image. `width` is in dots and need not be a multiple of 8.
    pub fn new(width: u32, height: u32) -> Self {
        let stride = width.div_ceil(8) as usize;
        Raster {
            width,
            height,
            bytes: vec![0; stride * height as usize],
        }
    }

    /// An image from rows already packed as `GS v 0` carries them (`width.div_ceil(8)` bytes
    /// a row), or `None` when the byte count does not match.
    pub fn from_packed(width: u32, height: u32, bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() == width.div_ceil(8) as usize * height as usize).then_some(Raster {
            width,
            height,
            bytes,
        })
    }

    /// Width in dots.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in dots (rows).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width.div_ceil(8) as usize
    }

    /// The packed rows, top to bottom.
    pub fn packed(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the dot at (x, y) is ink; outside the image is white.
    pub fn ink(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let byte = self.bytes[y as usize * self.stride() + (x / 8) as usize];
        byte & (0x80 >> (x % 8)) != 0
    }

    /// Inks the dot at (x, y); outside the image is ignored, so glyphs may overhang the edge.
    pub fn set(&mut self, x: i64, y: i64) {
        let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
            return;
        };
        if x >= self.width || y >= self.height {
            return;
        }
        let index = y as usize * self.stride() + (x / 8) as usize;
        self.bytes[index] |= 0x80 >> (x % 8);
    }

    /// Inks a filled rectangle (clipped to the image).
    pub fn fill(&mut self, x: i64, y: i64, width: i64, height: i64) {
        for row in y..y + height {
            for column in x..x + width {
                self.set(column, row);
            }
        }
    }

    /// Number of ink dots inside the rectangle (clipped to the image).
    pub fn ink_in(&self, x: u32, y: u32, width: u32, height: u32) -> usize {
        let mut count = 0;
        for row in y..y.saturating_add(height).min(self.height) {
            for column in x..x.saturating_add(width).min(self.width) {
                count += usize::from(self.ink(column, row));
            }
        }
        count
    }

    /// Number of ink dots in the whole image.
    pub fn ink_count(&self) -> usize {
        // Padding bits past `width` are never set, so counting whole bytes is exact.
        self.bytes.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The image `other` placed under this one (same width), as a printer prints bands.
    pub fn stacked(mut self, other: &Raster) -> Option<Raster> {
        if self.width != other.width {
            return None;
        }
        self.bytes.extend_from_slice(&other.bytes);
        self.height += other.height;
        Some(self)
    }

    /// Rows `start..start + count` (clipped) as a new image: one band of a print job.
    pub fn band(&self, start: u32, count: u32) -> Raster {
        let start = start.min(self.height);
        let end = start.saturating_add(count).min(self.height);
        let stride = self.stride();
        Raster {
            width: self.width,
            height: end - start,
            bytes: self.bytes[start as usize * stride..end as usize * stride].to_vec(),
        }
    }

    /// The image as a 1-bit grayscale PNG, one pixel per dot: the receipt preview the UI shows.
    pub fn to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width.max(1), self.height.max(1));
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        if self.width == 0 || self.height == 0 {
            writer.write_image_data(&[0xff])?;
        } else {
            // PNG grayscale is 1 for white; the printer's bit is 1 for ink.
            let inverted: Vec<u8> = self.bytes.iter().map(|b| !b).collect();
            writer.write_image_data(&inverted)?;
        }
        writer.finish()?;
        Ok(out)
    }

    /// The image as text, `#` for ink: for test failure messages.
    pub fn to_ascii(&self) -> String {
        let mut text = String::new();
        for y in 0..self.height {
            for x in 0..self.width {
                text.push(if self.ink(x, y) { '#' } else { '.' });
            }
            text.push('\n');
        }
        text
    }
}

impl fmt::Debug for Raster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Raster({}x{}, {} ink dots)",
            self.width,
            self.height,
            self.ink_count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_packed_most_significant_bit_first_like_gs_v_0() {
        let mut raster = Raster::new(10, 2);
        raster.set(0, 0);
        raster.set(9, 1);
        assert_eq!(raster.stride(), 2);
        assert_eq!(raster.packed(), &[0x80, 0x00, 0x00, 0x40]);
        assert!(raster.ink(0, 0) && raster.ink(9, 1) && !raster.ink(1, 0));
    }

    #[test]
    fn drawing_outside_the_image_is_ignored() {
        let mut raster = Raster::new(8, 8);
        raster.set(-1, 0);
        raster.set(8, 0);
        raster.set(0, 8);
        raster.fill(6, 6, 5, 5);
        assert_eq!(raster.ink_count(), 4, "only the 2x2 corner is inside");
        assert_eq!(raster.ink_in(6, 6, 100, 100), 4);
    }

    #[test]
    fn bands_stack_back_into_the_same_image() {
        let mut raster = Raster::new(16, 5);
        raster.fill(0, 0, 16, 1);
        raster.fill(3, 4, 2, 1);
        let top = raster.band(0, 3);
        let bottom = raster.band(3, 10);
        assert_eq!((top.height(), bottom.height()), (3, 2));
        assert_eq!(top.stacked(&bottom), Some(raster.clone()));
        assert_eq!(Raster::new(8, 1).stacked(&Raster::new(16, 1)), None);
    }

    #[test]
    fn packed_rows_must_have_the_right_length() {
        assert!(Raster::from_packed(9, 2, vec![0; 4]).is_some());
        assert!(Raster::from_packed(9, 2, vec![0; 3]).is_none());
    }

    #[test]
    fn the_png_shows_ink_as_black() {
        let mut raster = Raster::new(3, 2);
        raster.set(1, 0);
        let png = raster.to_png().expect("encodes");
        let image = image::load_from_memory(&png).expect("decodes").to_luma8();
        assert_eq!(image.dimensions(), (3, 2));
        assert_eq!(image.get_pixel(1, 0).0, [0]);
        assert_eq!(image.get_pixel(0, 0).0, [255]);
        assert_eq!(image.get_pixel(2, 1).0, [255]);
    }
}
