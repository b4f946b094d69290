//! One stream out of an OLE compound file (MS-CFB), the container of an XLS workbook: its
//! `Workbook` stream (`Book` in Excel 5 files), the BIFF records that say how each sheet
//! looks. calamine reads the same stream but keeps its reader to itself; this is the read
//! half of the format, for the one stream, and nothing else (the `cfb` crate would bring
//! writing, two more crates and ten thousand lines for it).
//!
//! The stream is found and read as calamine reads it (the first directory entry of that
//! name, in any case; a file cut short read as far as it goes), so both read the same
//! bytes. Every sector number and chain is checked against the file: a malformed one gives
//! `None`, never a panic or a loop.

/// The end of a sector chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here up are markers, not sectors.
const LAST_SECTOR: u32 = 0xFFFF_FFFA;
/// A directory entry's size.
const ENTRY: usize = 128;
/// Streams smaller than this live in the mini stream. The header says so too (always 4096);
/// calamine goes by this number, and so do we, to read the bytes it reads.
const MINI_CUTOFF: usize = 4096;

/// The stream of the compound file in `bytes` named the first of `names` that it holds
/// (compared without regard to ASCII case), or `None` where there is none or the file is
/// malformed.
pub(super) fn stream(bytes: &[u8], names: &[&str]) -> Option<Vec<u8>> {
    let file = Compound::open(bytes)?;
    let directory = file.chain(u32_at(bytes, 0x30)?, usize::MAX)?;
    let entries: Vec<&[u8]> = directory.chunks_exact(ENTRY).collect();
    let root = entries.first()?;
    let wanted = names.iter().find_map(|name| {
        entries
            .iter()
            .find(|entry| entry_name(entry).is_some_and(|n| n.eq_ignore_ascii_case(name)))
    })?;
    let (start, length) = (u32_at(wanted, 0x74)?, size(wanted, file.version)?);
    // The mini stream (the root entry's chain, cut in 64-byte mini sectors) and the mini
    // FAT that chains them, which calamine reads whenever the header counts mini FAT
    // sectors: a loop in either is a malformed file here, not one to leave to calamine.
    let mini_fat_sectors = u32_at(bytes, 0x40)? as usize;
    let mini = match mini_fat_sectors {
        0 => None,
        count => Some((
            file.chain(u32_at(root, 0x74)?, size(root, file.version)?)?,
            numbers(&file.chain(u32_at(bytes, 0x3C)?, count.checked_mul(file.sector)?)?),
        )),
    };
    if length >= MINI_CUTOFF {
        return file.chain(start, length);
    }
    let (mini_stream, mini_fat) = mini?;
    read_chain(&mini_stream, 64, 0, &mini_fat, start, length)
}

/// A compound file's sectors and its FAT.
struct Compound<'a> {
    bytes: &'a [u8],
    sector: usize,
    version: u16,
    fat: Vec<u32>,
}

impl<'a> Compound<'a> {
    fn open(bytes: &'a [u8]) -> Option<Compound<'a>> {
        let version = u16_at(bytes, 0x1A)?;
        let sector = match u16_at(bytes, 0x1E)? {
            9 => 512,
            12 => 4096,
            _ => return None,
        };
        let mut file = Compound {
            bytes,
            sector,
            version,
            fat: Vec::new(),
        };
        // The FAT's sectors: 109 listed in the header, the rest in a chain of DIFAT
        // sectors, each of which ends with the next one's number.
        let mut fat_sectors: Vec<u32> = numbers(bytes.get(0x4C..0x200)?);
        let mut next = u32_at(bytes, 0x44)?;
        let most = bytes.len() / sector + 1;
        let mut seen = 0;
        while next < LAST_SECTOR {
            seen += 1;
            if seen > most {
                return None;
            }
            let mut listed = numbers(file.sector_bytes(next)?);
            next = listed.pop()?;
            fat_sectors.extend(listed);
        }
        for number in fat_sectors.into_iter().filter(|n| *n < LAST_SECTOR) {
            let entries = numbers(file.sector_bytes(number)?);
            file.fat.extend(entries);
        }
        Some(file)
    }

    fn sector_bytes(&self, number: u32) -> Option<&'a [u8]> {
        let start = (number as usize).checked_add(1)?.checked_mul(self.sector)?;
        self.bytes.get(start..start.checked_add(self.sector)?)
    }

    /// The bytes of the chain of sectors from `start`, cut to `length`.
    fn chain(&self, start: u32, length: usize) -> Option<Vec<u8>> {
        read_chain(self.bytes, self.sector, 1, &self.fat, start, length)
    }
}

/// Follow a chain of `size`-byte sectors of `area` (sector `n` at `(n + skip) * size`)
/// through `table` from `start`, and keep at most `length` bytes.
fn read_chain(
    area: &[u8],
    size: usize,
    skip: usize,
    table: &[u32],
    start: u32,
    length: usize,
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(length.min(area.len()));
    let mut next = start;
    // A chain visits each sector once; a sector seen again is a loop.
    let mut seen = vec![false; table.len()];
    while next != END_OF_CHAIN && out.len() < length {
        let visited = seen.get_mut(next as usize)?;
        if *visited {
            return None;
        }
        *visited = true;
        let at = (next as usize).checked_add(skip)?.checked_mul(size)?;
        // The last sector of a file cut short is read as far as it goes.
        let end = at.checked_add(size)?.min(area.len());
        out.extend_from_slice(area.get(at..end).filter(|s| !s.is_empty())?);
        next = *table.get(next as usize)?;
    }
    // A chain that ends before its length gives what it holds, as calamine reads it.
    out.truncate(length);
    Some(out)
}

/// A directory entry's name: UTF-16, its length in bytes (with the closing NUL) at 0x40.
fn entry_name(entry: &[u8]) -> Option<String> {
    let length = usize::from(u16_at(entry, 0x40)?).min(64);
    let units: Vec<u16> = numbers16(entry.get(..length)?);
    let units = units.strip_suffix(&[0]).unwrap_or(&units);
    String::from_utf16(units).ok()
}

/// A directory entry's stream size: 64 bits, of which version 3 files use the low 32.
fn size(entry: &[u8], version: u16) -> Option<usize> {
    let low = u32_at(entry, 0x78)? as u64;
    let high = u32_at(entry, 0x7C)? as u64;
    let size = match version {
        3 => low,
        _ => low | (high << 32),
    };
    usize::try_from(size).ok()
}

fn numbers(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn numbers16(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests;
