//! Precompressed copies (`app.js.gz`, `app.js.br`) of rewritten files.
//!
//! A server that prefers a precompressed copy would send the old content;
//! so a copy whose file changed is made again from the new content, with
//! fixed settings so the result is the same on every run.

use std::io::{Read, Write};

/// The compression a file name ends with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Brotli,
}

impl Codec {
    pub fn of(name: &str) -> Option<Codec> {
        if name.ends_with(".gz") {
            Some(Codec::Gzip)
        } else if name.ends_with(".br") {
            Some(Codec::Brotli)
        } else {
            None
        }
    }

    /// The path of the file this is a copy of.
    pub fn base(rel: &str) -> &str {
        &rel[..rel.len() - 3]
    }
}

pub fn decompress(codec: Codec, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match codec {
        Codec::Gzip => {
            flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
        }
        Codec::Brotli => {
            brotli::Decompressor::new(data, 4096).read_to_end(&mut out)?;
        }
    }
    Ok(out)
}

/// Compresses with fixed settings (no name, no time stamp).
pub fn compress(codec: Codec, data: &[u8]) -> std::io::Result<Vec<u8>> {
    match codec {
        Codec::Gzip => {
            let mut e = flate2::GzBuilder::new()
                .mtime(0)
                .write(Vec::new(), flate2::Compression::best());
            e.write_all(data)?;
            e.finish()
        }
        Codec::Brotli => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
                w.write_all(data)?;
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_deterministic() {
        let data = b"fetch(`${(self.__csprefix_root||\"\")}/api/x`)".repeat(50);
        for codec in [Codec::Gzip, Codec::Brotli] {
            let a = compress(codec, &data).unwrap();
            assert_eq!(a, compress(codec, &data).unwrap());
            assert_eq!(decompress(codec, &a).unwrap(), data);
        }
        assert_eq!(Codec::of("a.js.gz"), Some(Codec::Gzip));
        assert_eq!(Codec::base("assets/a.js.br"), "assets/a.js");
        assert_eq!(Codec::of("a.js"), None);
    }
}
