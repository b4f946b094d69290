//! The records of an XLSB part (MS-XLSB 2.1.4): a type of one or two bytes and a length of
//! one to four, seven bits each with the high bit saying another byte follows, then the
//! data. Read from bytes in memory ([`record`]) for the small parts, or streamed from a
//! part being decompressed ([`Records`]) for worksheets.

use std::io::Read;

/// The record at `*at` of `records` (its type and data), moving `*at` past it; `None` at the
/// end or where the record is cut short.
pub(super) fn record<'a>(records: &'a [u8], at: &mut usize) -> Option<(u16, &'a [u8])> {
    let mut byte = || {
        let b = *records.get(*at)?;
        *at += 1;
        Some(b)
    };
    let (kind, length) = header(&mut byte)?;
    let data = records.get(*at..at.checked_add(length)?)?;
    *at += length;
    Some((kind, data))
}

/// A record's type and length, its bytes given one at a time by `byte`.
fn header(byte: &mut impl FnMut() -> Option<u8>) -> Option<(u16, usize)> {
    let first = byte()?;
    let kind = match first & 0x80 {
        0 => u16::from(first),
        _ => u16::from(first & 0x7F) | (u16::from(byte()? & 0x7F) << 7),
    };
    let mut length = 0usize;
    for i in 0..4 {
        let b = byte()?;
        length |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
    }
    Some((kind, length))
}

/// The records of a part, read one at a time into one buffer.
pub(super) struct Records<R> {
    reader: R,
    /// The data of the record [`Records::next`] last read.
    pub data: Vec<u8>,
}

impl<R: Read> Records<R> {
    pub fn new(reader: R) -> Records<R> {
        Records {
            reader,
            data: Vec::with_capacity(256),
        }
    }

    /// The next record's type, its data in [`Records::data`]; `None` at the end of the
    /// part or where its last record is cut short.
    pub fn next(&mut self) -> std::io::Result<Option<u16>> {
        let mut failed = None;
        let reader = &mut self.reader;
        let mut byte = || {
            let mut one = [0u8];
            match reader.read_exact(&mut one) {
                Ok(()) => Some(one[0]),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => None,
                Err(e) => {
                    failed = Some(e);
                    None
                }
            }
        };
        let header = header(&mut byte);
        if let Some(e) = failed {
            return Err(e);
        }
        let Some((kind, length)) = header else {
            return Ok(None);
        };
        self.data.clear();
        // Read through `take`, so that a length the part does not hold costs nothing.
        (&mut self.reader)
            .take(length as u64)
            .read_to_end(&mut self.data)?;
        Ok((self.data.len() == length).then_some(kind))
    }
}

pub(super) fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

pub(super) fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// An XLWideString at `at`: a count of UTF-16 units, then the units; and where it ends.
pub(super) fn wide_string(data: &[u8], at: usize) -> Option<(String, usize)> {
    let count = u32_at(data, at)? as usize;
    let end = at.checked_add(4)?.checked_add(count.checked_mul(2)?)?;
    let units: Vec<u16> = data
        .get(at + 4..end)?
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    Some((String::from_utf16(&units).ok()?, end))
}

/// Records as a writer lays them out, for tests.
#[cfg(test)]
pub(super) fn encode(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = match kind {
        0..=127 => vec![kind as u8],
        _ => vec![(kind & 0x7F) as u8 | 0x80, (kind >> 7) as u8],
    };
    let mut length = data.len();
    loop {
        let b = (length & 0x7F) as u8;
        length >>= 7;
        if length == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
    out
}

/// An XLWideString as a writer lays it out, for tests.
#[cfg(test)]
pub(super) fn encode_wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_from_memory_and_streamed_agree() {
        let part = [
            encode(0x0000, &[1, 2, 3]),
            encode(0x01E5, &[9; 200]),
            encode(0x0092, &[]),
        ]
        .concat();
        let mut at = 0;
        let mut kinds = Vec::new();
        while let Some((kind, data)) = record(&part, &mut at) {
            kinds.push((kind, data.len()));
        }
        assert_eq!(kinds, vec![(0x0000, 3), (0x01E5, 200), (0x0092, 0)]);
        let mut streamed = Records::new(part.as_slice());
        let mut seen = Vec::new();
        while let Some(kind) = streamed.next().unwrap() {
            seen.push((kind, streamed.data.len()));
        }
        assert_eq!(seen, kinds);
        // A record cut short ends the part.
        let cut = &part[..part.len() - 150];
        let mut streamed = Records::new(cut);
        assert_eq!(streamed.next().unwrap(), Some(0x0000));
        assert_eq!(streamed.next().unwrap(), None);
        let mut at = 5;
        assert_eq!(record(cut, &mut at), None);
    }

    #[test]
    fn wide_strings_are_read_to_their_end() {
        let data = [encode_wide("0000"), vec![7]].concat();
        assert_eq!(wide_string(&data, 0), Some(("0000".to_string(), 12)));
        assert_eq!(wide_string(&data[..10], 0), None);
    }
}
