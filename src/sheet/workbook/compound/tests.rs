use super::*;

const FREE: u32 = 0xFFFF_FFFF;
const FAT_SECTOR: u32 = 0xFFFF_FFFD;

/// Sectors of 512 bytes and their FAT, as a writer lays them out.
struct Sectors {
    sectors: Vec<Vec<u8>>,
    fat: Vec<u32>,
}

impl Sectors {
    /// `data` in a chain of new sectors; its first sector's number.
    fn chain(&mut self, data: &[u8]) -> u32 {
        let start = self.sectors.len() as u32;
        let chunks: Vec<&[u8]> = data.chunks(512).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut sector = chunk.to_vec();
            sector.resize(512, 0);
            self.sectors.push(sector);
            let last = i + 1 == chunks.len();
            self.fat.push(if last {
                END_OF_CHAIN
            } else {
                start + i as u32 + 1
            });
        }
        if chunks.is_empty() {
            END_OF_CHAIN
        } else {
            start
        }
    }
}

fn entry(name: &str, kind: u8, start: u32, size: usize) -> Vec<u8> {
    let mut entry = vec![0u8; ENTRY];
    let units: Vec<u8> = name
        .encode_utf16()
        .chain([0])
        .flat_map(|u| u.to_le_bytes())
        .collect();
    entry[..units.len()].copy_from_slice(&units);
    entry[0x40..0x42].copy_from_slice(&(units.len() as u16).to_le_bytes());
    entry[0x42] = kind;
    entry[0x74..0x78].copy_from_slice(&start.to_le_bytes());
    entry[0x78..0x80].copy_from_slice(&(size as u64).to_le_bytes());
    entry
}

/// A version-3 compound file holding `streams` under its root: those under 4096 bytes in
/// the mini stream, the others in sectors of their own. `tamper` may change the FAT.
fn compound(streams: &[(&str, Vec<u8>)], tamper: impl Fn(&mut Vec<u32>)) -> Vec<u8> {
    // Sector 0 holds the FAT, sector 1 the directory.
    let mut file = Sectors {
        sectors: vec![vec![0; 512], vec![0; 512]],
        fat: vec![FAT_SECTOR, END_OF_CHAIN],
    };
    let (mut mini, mut mini_fat) = (Vec::new(), Vec::<u32>::new());
    let mut entries = Vec::new();
    for (name, data) in streams {
        let start = match data.len() < 4096 {
            true => {
                let start = mini_fat.len() as u32;
                let count = data.len().div_ceil(64);
                for i in 0..count {
                    let mut sector = data[i * 64..data.len().min(i * 64 + 64)].to_vec();
                    sector.resize(64, 0);
                    mini.extend(sector);
                    mini_fat.push(if i + 1 == count {
                        END_OF_CHAIN
                    } else {
                        start + i as u32 + 1
                    });
                }
                start
            }
            false => file.chain(data),
        };
        entries.push(entry(name, 2, start, data.len()));
    }
    let mini_fat_bytes: Vec<u8> = mini_fat.iter().flat_map(|n| n.to_le_bytes()).collect();
    let mini_fat_start = file.chain(&mini_fat_bytes);
    let mini_start = file.chain(&mini);
    entries.insert(0, entry("Root Entry", 5, mini_start, mini.len()));
    let directory = entries.concat();
    assert!(directory.len() <= 512, "one directory sector");
    file.sectors[1][..directory.len()].copy_from_slice(&directory);
    let mut fat = file.fat.clone();
    assert!(fat.len() <= 128, "one FAT sector");
    fat.resize(128, FREE);
    tamper(&mut fat);
    file.sectors[0] = fat.iter().flat_map(|n| n.to_le_bytes()).collect();
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    header[0x18..0x1A].copy_from_slice(&0x3Eu16.to_le_bytes());
    header[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
    header[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
    header[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
    header[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
    header[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    header[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    header[0x3C..0x40].copy_from_slice(&mini_fat_start.to_le_bytes());
    header[0x40..0x44].copy_from_slice(&(mini_fat.len().div_ceil(128) as u32).to_le_bytes());
    header[0x44..0x48].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
    let difat: Vec<u8> = std::iter::once(0u32)
        .chain(std::iter::repeat_n(FREE, 108))
        .flat_map(|n| n.to_le_bytes())
        .collect();
    header[0x4C..].copy_from_slice(&difat);
    [header, file.sectors.concat()].concat()
}

fn bytes(count: usize, seed: u8) -> Vec<u8> {
    (0..count)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}

#[test]
fn small_and_large_streams_are_read_back_by_name_in_any_case() {
    let small = bytes(1000, 1);
    let large = bytes(5000, 2);
    let file = compound(
        &[
            ("\u{1}CompObj", bytes(70, 3)),
            ("Book", small.clone()),
            ("WORKBOOK", large.clone()),
        ],
        |_| {},
    );
    assert_eq!(stream(&file, &["Workbook", "Book"]), Some(large));
    assert_eq!(stream(&file, &["Book"]), Some(small));
    assert_eq!(stream(&file, &["Nothing"]), None);
    let only_small = compound(&[("Workbook", bytes(100, 4))], |_| {});
    assert_eq!(stream(&only_small, &["Workbook"]), Some(bytes(100, 4)));
}

#[test]
fn a_looping_chain_a_cut_file_or_a_foreign_one_is_none() {
    // Sectors 0 and 1 hold the FAT and the directory, 2–11 the stream.
    let large = bytes(5000, 5);
    let file = compound(&[("Workbook", large.clone())], |_| {});
    assert_eq!(stream(&file, &["Workbook"]), Some(large.clone()));
    // Its third sector points back at its first.
    let looping = compound(&[("Workbook", large)], |fat| fat[4] = 2);
    assert_eq!(stream(&looping, &["Workbook"]), None);
    // A mini stream chain that loops: the mini FAT in sector 2, the mini stream from 3.
    let small = compound(&[("Workbook", bytes(1500, 7))], |fat| fat[4] = 3);
    assert_eq!(stream(&small, &["Workbook"]), None);
    // A file cut short is read as far as it goes, as calamine reads it: here the stream's
    // last sector loses its last 300 bytes (216 of them padding), and a cut sector that
    // holds nothing ends the read.
    let big = compound(&[("Workbook", bytes(9000, 6))], |_| {});
    let cut = stream(&big[..big.len() - 300], &["Workbook"]).unwrap();
    assert_eq!(cut, bytes(9000, 6)[..8916]);
    assert_eq!(stream(&big[..big.len() - 600], &["Workbook"]), None);
    assert_eq!(
        stream(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 short", &["Workbook"]),
        None
    );
    assert_eq!(stream(&[0u8; 2048], &["Workbook"]), None);
}

#[test]
fn the_mini_stream_is_checked_as_calamine_reads_it_whatever_stream_is_wanted() {
    // The workbook in sectors 2–11, the mini FAT in 12, the mini stream (another stream's
    // 70 bytes) in 13.
    let streams = [("Workbook", bytes(5000, 8)), ("\u{1}CompObj", bytes(70, 9))];
    assert_eq!(
        stream(&compound(&streams, |_| {}), &["Workbook"]),
        Some(bytes(5000, 8))
    );
    // calamine reads the mini stream on opening, as far as the root entry's size says (here
    // a size past its one sector): a loop there is a malformed file.
    let long_root = |file: &mut Vec<u8>| {
        file[1024 + 0x78..1024 + 0x7C].copy_from_slice(&100_000u32.to_le_bytes())
    };
    let mut ends = compound(&streams, |_| {});
    long_root(&mut ends);
    assert_eq!(stream(&ends, &["Workbook"]), Some(bytes(5000, 8)));
    let mut looping = compound(&streams, |fat| fat[13] = 13);
    long_root(&mut looping);
    assert_eq!(stream(&looping, &["Workbook"]), None);
    // A stream under 4096 bytes is in the mini stream whatever the header's cutoff says.
    let mut small = compound(&[("Workbook", bytes(1000, 1))], |_| {});
    small[0x38..0x3C].copy_from_slice(&512u32.to_le_bytes());
    assert_eq!(stream(&small, &["Workbook"]), Some(bytes(1000, 1)));
}
