//! The one pass over an ODS workbook's `content.xml`: which tables it has and which are
//! hidden (their table style's `table:display="false"`), the number formats of its cell
//! styles (with those of `styles.xml`, see [`styles`](super::styles)), the worksheet to
//! read (see [`choice`](super::choice)) read as it streams past and every other one
//! skipped, and the sheets a filter with buttons (an autofilter) covers.

use std::collections::HashSet;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, XmlVersion};

use super::choice::{Chooser, Role, Table};
use super::styles::{Formats, Styles};
use super::table::{self, Collected, Context};

/// What the pass found.
#[derive(Debug, Default)]
pub(super) struct Content {
    /// Every table, in order.
    pub tables: Vec<Table>,
    /// The tables read: their role, their position in `tables`, and what they hold.
    pub read: Vec<(Role, usize, Collected)>,
    /// The sheets a database range with filter buttons covers, by name.
    pub filtered: HashSet<String>,
}

impl Content {
    fn roles(&self) -> Vec<Role> {
        self.read.iter().map(|(role, _, _)| *role).collect()
    }
}

/// Stream `reader` (over `content.xml`) once, reading the tables `chooser` wants; `styles`
/// holds those of `styles.xml`, and `calc` says whether Calc saved the document.
pub(super) fn read<R: BufRead>(
    reader: &mut Reader<R>,
    chooser: Chooser<'_>,
    mut styles: Styles,
    calc: bool,
) -> Result<Content, quick_xml::Error> {
    let mut content = Content::default();
    let mut hidden_styles: HashSet<String> = HashSet::new();
    let mut style: Option<String> = None;
    // The formats of the cell styles, once the styles before the body are all read.
    let mut formats: Option<Formats> = None;
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf)?;
        let empty = matches!(event, Event::Empty(_));
        if formats.is_none() {
            styles.event(&event);
        }
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "style:style" if !empty => style = value(e, "style:name")?,
                "style:table-properties" => {
                    if let Some(name) = &style
                        && value(e, "table:display")?.as_deref() == Some("false")
                    {
                        hidden_styles.insert(name.clone());
                    }
                }
                "office:body" => formats = Some(styles.formats()),
                "table:table" => {
                    let formats = formats.get_or_insert_with(|| styles.formats());
                    let context = Context { formats, calc };
                    let table = Table {
                        name: value(e, "table:name")?.unwrap_or_default(),
                        hidden: value(e, "table:style-name")?
                            .is_some_and(|s| hidden_styles.contains(&s)),
                    };
                    let role = chooser.role(&table, &content.roles());
                    content.tables.push(table);
                    let at = content.tables.len() - 1;
                    match (role, empty) {
                        (Some(role), true) => content.read.push((role, at, Collected::default())),
                        (Some(role), false) => {
                            let sheet = table::read(reader, &mut skip, context)?;
                            // The active sheet makes the first visible one moot.
                            if role == Role::Active {
                                content.read.retain(|(r, _, _)| *r != Role::FirstVisible);
                            }
                            content.read.push((role, at, sheet));
                        }
                        (None, true) => {}
                        (None, false) => {
                            reader.read_to_end_into(QName("table:table"), &mut skip)?;
                        }
                    }
                }
                "table:database-range" => {
                    if value(e, "table:display-filter-buttons")?.as_deref() == Some("true")
                        && let Some(address) = value(e, "table:target-range-address")?
                        && let Some(sheet) = sheet_of(&address)
                    {
                        content.filtered.insert(sheet);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "style:style" => style = None,
            Event::Eof => return Ok(content),
            _ => {}
        }
    }
}

/// An attribute's value, unescaped.
fn value(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, quick_xml::Error> {
    match e.try_get_attribute(name)? {
        Some(a) => Ok(Some(
            a.normalized_value(XmlVersion::Implicit1_0)?.into_owned(),
        )),
        None => Ok(None),
    }
}

/// The sheet of a range address: `Users.A1:Users.C9` → `Users`, `'Old ''wave'''.A1:…` →
/// `Old 'wave'`, `$Users.$A$1:.$C$9` → `Users`.
fn sheet_of(address: &str) -> Option<String> {
    let address = address.trim_start();
    let address = address.strip_prefix('$').unwrap_or(address);
    if let Some(quoted) = address.strip_prefix('\'') {
        let mut name = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('\'', Some('\'')) => {
                    name.push('\'');
                    chars.next();
                }
                ('\'', _) => return Some(name),
                _ => name.push(c),
            }
        }
        return None;
    }
    let cell = address.split([' ', ':']).next()?;
    let (sheet, _) = cell.rsplit_once('.')?;
    (!sheet.is_empty()).then(|| sheet.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: &str = "<office:automatic-styles>\
        <style:style style:name=\"ta1\" style:family=\"table\"><style:table-properties table:display=\"false\"/></style:style>\
        <style:style style:name=\"ta2\" style:family=\"table\"><style:table-properties table:display=\"true\"/></style:style>\
        </office:automatic-styles>";

    fn table(name: &str, style: &str, value: &str) -> String {
        format!(
            "<table:table table:name=\"{name}\" table:style-name=\"{style}\"><table:table-row>\
             <table:table-cell office:value-type=\"string\"><text:p>{value}</text:p></table:table-cell>\
             </table:table-row></table:table>"
        )
    }

    fn pass(body: &str, wanted: Option<&str>, active: Option<&str>) -> Content {
        let xml = format!(
            "<office:document-content>{STYLES}<office:body><office:spreadsheet>{body}\
             </office:spreadsheet></office:body></office:document-content>"
        );
        let mut reader = Reader::from_reader(xml.as_bytes());
        read(
            &mut reader,
            Chooser { wanted, active },
            Styles::default(),
            true,
        )
        .expect("read")
    }

    #[test]
    fn hidden_tables_are_known_by_their_style_and_skipped() {
        let body = format!(
            "{}{}{}<table:database-ranges><table:database-range table:target-range-address=\"'Users &amp; co'.A1:'Users &amp; co'.B9\" table:display-filter-buttons=\"true\"/></table:database-ranges>",
            table("Old", "ta1", "old"),
            table("Notes", "ta2", "notes"),
            table("Users &amp; co", "ta2", "users"),
        );
        let content = pass(&body, None, Some("Users & co"));
        let hidden: Vec<bool> = content.tables.iter().map(|t| t.hidden).collect();
        assert_eq!(hidden, [true, false, false]);
        assert_eq!(content.read.len(), 1);
        let (role, at, sheet) = &content.read[0];
        assert_eq!((*role, *at), (Role::Active, 2));
        assert_eq!(
            sheet.rows[0].1[0].1,
            crate::sheet::Cell::Text("users".into())
        );
        assert!(content.filtered.contains("Users & co"));

        let named = pass(&body, Some("Old"), Some("Users & co"));
        assert_eq!(named.read.len(), 1);
        assert_eq!((named.read[0].0, named.read[0].1), (Role::Named, 0));
    }

    #[test]
    fn range_addresses_name_their_sheet() {
        assert_eq!(sheet_of("Users.A1:Users.C9").as_deref(), Some("Users"));
        assert_eq!(sheet_of("$Users.$A$1:.$C$9").as_deref(), Some("Users"));
        assert_eq!(
            sheet_of("'Old ''wave'' (v1.2)'.A1:'Old ''wave'' (v1.2)'.C9").as_deref(),
            Some("Old 'wave' (v1.2)")
        );
        assert_eq!(sheet_of("A1:C9"), None);
    }
}
