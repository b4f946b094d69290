//! Which number format each cell style of an ODS workbook has, written as a format code.
//!
//! A cell names its style (`table:style-name`, else its row's or column's
//! `table:default-cell-style-name`); the style names a data style
//! (`style:data-style-name`, or its parent style's), and the data style —
//! `<number:number-style>`, `<number:text-style>`, … in `styles.xml` or among
//! `content.xml`'s automatic styles — holds the format as elements, with `style:map`s to
//! the styles of its other sections. [`Styles`] takes the events of both parts as they
//! stream past and [`Styles::formats`] gives each cell style its code (`0000`, `;;;`,
//! `0;-0;0;"+"@`), for messages.

use std::collections::HashMap;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::code::{self, Digits};

/// A data style read: its own section's code (`None`: not one a code writes) and its maps
/// (condition, the data style of that section).
#[derive(Debug)]
struct DataStyle {
    own: Option<String>,
    maps: Vec<(String, String)>,
}

/// Data styles and cell styles, as read.
#[derive(Debug, Default)]
pub(super) struct Styles {
    /// Data styles by name.
    data: HashMap<String, DataStyle>,
    /// Cell style → (its data style, its parent style).
    cells: HashMap<String, (Option<String>, Option<String>)>,
    building: Option<Building>,
}

/// A data style being read.
#[derive(Debug)]
struct Building {
    name: String,
    code: String,
    known: bool,
    colour: &'static str,
    maps: Vec<(String, String)>,
    /// An open `<number:number>`, gathering its embedded texts.
    digits: Option<Digits>,
    /// An open element whose text counts, and what it is.
    text: Option<(Text, String)>,
    /// `number:truncate-on-overflow="false"`: hours past 24 (`[h]`).
    elapsed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Text {
    Literal,
    Currency,
    Embedded(usize),
}

/// The format code of each cell style that has one other than `General`.
#[derive(Debug, Default)]
pub(super) struct Formats {
    by_style: HashMap<String, String>,
}

impl Formats {
    /// The code of cell style `style`, if it has one.
    pub fn of(&self, style: &str) -> Option<&str> {
        self.by_style.get(style).map(String::as_str)
    }
}

const DATA_STYLES: [&str; 7] = [
    "number:number-style",
    "number:currency-style",
    "number:percentage-style",
    "number:text-style",
    "number:date-style",
    "number:time-style",
    "number:boolean-style",
];

impl Styles {
    /// Take one event of `styles.xml` or of `content.xml` before its body.
    pub fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(e) => self.start(e, false),
            Event::Empty(e) => self.start(e, true),
            Event::End(e) => self.end(e.name().as_ref()),
            Event::Text(t) => self.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    self.text(&c.to_string());
                } else if let Some(s) = resolve_predefined_entity(r.as_ref()) {
                    self.text(s);
                }
            }
            _ => {}
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.name();
        let name = name.as_ref();
        if name == "style:style" {
            if let Some(style) = attribute(e, "style:name") {
                let data = attribute(e, "style:data-style-name");
                let parent = attribute(e, "style:parent-style-name");
                self.cells.insert(style, (data, parent));
            }
            return;
        }
        if DATA_STYLES.contains(&name) {
            let building = Building {
                name: attribute(e, "style:name").unwrap_or_default(),
                code: String::new(),
                known: true,
                colour: "",
                maps: Vec::new(),
                digits: None,
                text: None,
                elapsed: attribute(e, "number:truncate-on-overflow").as_deref() == Some("false"),
            };
            self.building = Some(building);
            if empty {
                self.end(name);
            }
            return;
        }
        let Some(building) = self.building.as_mut() else {
            return;
        };
        let number = |key: &str| attribute(e, key).and_then(|v| v.trim().parse::<usize>().ok());
        let digits = || Digits {
            decimal_places: number("number:decimal-places"),
            min_decimal_places: number("number:min-decimal-places")
                .or_else(|| number("loext:min-decimal-places")),
            min_integer_digits: number("number:min-integer-digits"),
            grouping: attribute(e, "number:grouping").as_deref() == Some("true"),
            display_factor: attribute(e, "number:display-factor").and_then(|v| v.parse().ok()),
            embedded: Vec::new(),
        };
        match name.strip_prefix("number:").unwrap_or_default() {
            "number" if empty => building.code.push_str(&digits().number()),
            "number" => building.digits = Some(digits()),
            "embedded-text" if !empty => {
                let position = number("number:position").unwrap_or(0);
                building.text = Some((Text::Embedded(position), String::new()));
            }
            "text" | "currency-symbol" if !empty => {
                let kind = match name == "number:text" {
                    true => Text::Literal,
                    false => Text::Currency,
                };
                building.text = Some((kind, String::new()));
            }
            "text" => {}
            "text-content" => building.code.push('@'),
            "scientific-number" => {
                let forced =
                    attribute(e, "number:forced-exponent-sign").as_deref() != Some("false");
                let exponent = number("number:min-exponent-digits").unwrap_or(2);
                building
                    .code
                    .push_str(&digits().scientific(exponent, forced));
            }
            "fraction" => {
                let numerator = number("number:min-numerator-digits").unwrap_or(1);
                let denominator = attribute(e, "number:denominator-value");
                building
                    .code
                    .push_str(&digits().fraction(numerator, denominator));
            }
            "boolean" => building.code.push_str("BOOLEAN"),
            part @ ("day" | "month" | "year" | "day-of-week" | "hours" | "minutes" | "seconds"
            | "am-pm" | "era" | "week-of-year" | "quarter") => {
                let long = attribute(e, "number:style").as_deref() == Some("long");
                let textual = attribute(e, "number:textual").as_deref() == Some("true");
                match code::date_part(part, long, textual, building.elapsed) {
                    Some(part) => building.code.push_str(&part),
                    None => building.known = false,
                }
                if part == "seconds"
                    && let Some(places) = number("number:decimal-places").filter(|p| *p > 0)
                {
                    building.code.push('.');
                    building.code.push_str(&"0".repeat(places));
                }
            }
            _ if name == "style:text-properties" => {
                if let Some(colour) = attribute(e, "fo:color") {
                    building.colour = code::colour(&colour);
                }
            }
            _ if name == "style:map" => {
                let condition = attribute(e, "style:condition").unwrap_or_default();
                let condition = condition.replace("value()", "").replace(' ', "");
                if let Some(target) = attribute(e, "style:apply-style-name") {
                    building.maps.push((condition, target));
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(Building {
            text: Some((_, gathered)),
            ..
        }) = self.building.as_mut()
        {
            gathered.push_str(text);
        }
    }

    fn end(&mut self, name: &str) {
        let Some(building) = self.building.as_mut() else {
            return;
        };
        match name {
            "number:text" | "number:currency-symbol" | "number:embedded-text" => {
                let Some((kind, text)) = building.text.take() else {
                    return;
                };
                match (kind, building.digits.as_mut()) {
                    (Text::Embedded(position), Some(digits)) => {
                        digits.embedded.push((position, text));
                    }
                    (Text::Currency, _) if text == "$" => building.code.push('$'),
                    (Text::Currency, _) => building.code.push_str(&format!("[${text}]")),
                    _ => building.code.push_str(&code::literal(&text)),
                }
            }
            "number:number" => {
                if let Some(digits) = building.digits.take() {
                    building.code.push_str(&digits.number());
                }
            }
            _ if DATA_STYLES.contains(&name) => {
                if let Some(done) = self.building.take() {
                    let own = (done.known).then(|| format!("{}{}", done.colour, done.code));
                    let maps = done.maps;
                    self.data.insert(done.name, DataStyle { own, maps });
                }
            }
            _ => {}
        }
    }

    /// The code of every cell style whose format is not `General`, through its parents.
    pub fn formats(&self) -> Formats {
        let mut by_style = HashMap::new();
        for style in self.cells.keys() {
            if let Some(code) = self.cell_code(style) {
                by_style.insert(style.clone(), code);
            }
        }
        Formats { by_style }
    }

    fn cell_code(&self, style: &str) -> Option<String> {
        let mut style = style;
        // Parents are few; a loop in a broken file is cut short.
        for _ in 0..16 {
            let (data, parent) = self.cells.get(style)?;
            if let Some(data) = data {
                return self.data_code(data).filter(|c| c != "General" && c != "@");
            }
            style = parent.as_deref()?;
        }
        None
    }

    fn data_code(&self, name: &str) -> Option<String> {
        let DataStyle { own, maps } = self.data.get(name)?;
        let own = own.as_deref()?;
        if maps.is_empty() {
            return Some(own.to_string());
        }
        let mapped: Option<Vec<(String, String)>> = maps
            .iter()
            .map(|(condition, target)| {
                let section = self.data.get(target)?.own.clone()?;
                Some((condition.clone(), section))
            })
            .collect();
        Some(code::with_maps(&mapped?, own))
    }
}

/// An attribute's value, unescaped; `None` where it is missing or unreadable.
fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let found = e.try_get_attribute(name).ok()??;
    let value = found.normalized_value(XmlVersion::Implicit1_0).ok()?;
    Some(value.into_owned())
}

#[cfg(test)]
mod tests {
    use quick_xml::Reader;

    use super::*;

    /// The formats of the styles in `xml`.
    fn formats(xml: &str) -> Formats {
        let mut reader = Reader::from_reader(xml.as_bytes());
        let mut styles = Styles::default();
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).expect("event") {
                Event::Eof => break,
                event => styles.event(&event),
            }
            buf.clear();
        }
        styles.formats()
    }

    #[test]
    fn cell_styles_name_their_data_styles_codes() {
        // As Calc 7.4 saves `0000`, `;;;` (a text style mapping three empty sections),
        // `0;-0;0;"+"@` (a `+` needs no quotes), `"ext "0`, `[RED]0000`, `0%`, `$#,##0.00`, and a named style.
        let xml = r##"<office:document-styles><office:styles>
            <number:number-style style:name="N0"><number:number number:min-integer-digits="1"/></number:number-style>
            <number:number-style style:name="N1"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="4"/></number:number-style>
            <number:number-style style:name="N2P0" style:volatile="true"><number:text/></number:number-style>
            <number:number-style style:name="N2P1" style:volatile="true"><number:text/></number:number-style>
            <number:number-style style:name="N2P2" style:volatile="true"><number:text/></number:number-style>
            <number:text-style style:name="N2"><number:text/><style:map style:condition="value()&gt;0" style:apply-style-name="N2P0"/><style:map style:condition="value()&lt;0" style:apply-style-name="N2P1"/><style:map style:condition="value()=0" style:apply-style-name="N2P2"/></number:text-style>
            <number:number-style style:name="N3P0" style:volatile="true"><number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>
            <number:number-style style:name="N3P1" style:volatile="true"><number:text>-</number:text><number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>
            <number:number-style style:name="N3P2" style:volatile="true"><number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>
            <number:text-style style:name="N3"><number:text>+</number:text><number:text-content/><style:map style:condition="value()&gt;0" style:apply-style-name="N3P0"/><style:map style:condition="value()&lt;0" style:apply-style-name="N3P1"/><style:map style:condition="value()=0" style:apply-style-name="N3P2"/></number:text-style>
            <number:number-style style:name="N4"><number:text>ext </number:text><number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>
            <number:number-style style:name="N5"><style:text-properties fo:color="#ff0000"/><number:number number:decimal-places="0" number:min-integer-digits="4"/></number:number-style>
            <number:percentage-style style:name="N6"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
            <number:currency-style style:name="N7"><number:currency-symbol number:language="en">$</number:currency-symbol><number:number number:decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:currency-style>
            <number:number-style style:name="N8"><number:number number:decimal-places="0" number:min-integer-digits="7"><number:embedded-text number:position="4">-</number:embedded-text></number:number></number:number-style>
            <number:text-style style:name="N9"><number:text-content/></number:text-style>
            <number:date-style style:name="N10"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/></number:date-style>
            <style:style style:name="Default" style:family="table-cell"/>
            <style:style style:name="Padded" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N1"/>
            </office:styles></office:document-styles>
            <office:automatic-styles>
            <style:style style:name="ce0" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N0"/>
            <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
            <style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
            <style:style style:name="ce3" style:family="table-cell" style:data-style-name="N3"/>
            <style:style style:name="ce4" style:family="table-cell" style:data-style-name="N4"/>
            <style:style style:name="ce5" style:family="table-cell" style:data-style-name="N5"/>
            <style:style style:name="ce6" style:family="table-cell" style:data-style-name="N6"/>
            <style:style style:name="ce7" style:family="table-cell" style:data-style-name="N7"/>
            <style:style style:name="ce8" style:family="table-cell" style:data-style-name="N8"/>
            <style:style style:name="ce9" style:family="table-cell" style:data-style-name="N9"/>
            <style:style style:name="ce10" style:family="table-cell" style:data-style-name="N10"/>
            <style:style style:name="ce11" style:family="table-cell" style:parent-style-name="Padded"/>
            <style:style style:name="ce12" style:family="table-cell" style:data-style-name="missing"/>
            </office:automatic-styles>"##;
        let formats = formats(xml);
        let cases = [
            ("ce0", None),
            ("ce1", Some("0000")),
            ("ce2", Some(";;;")),
            ("ce3", Some("0;-0;0;+@")),
            ("ce4", Some("\"ext \"0")),
            ("ce5", Some("[RED]0000")),
            ("ce6", Some("0%")),
            ("ce7", Some("$#,##0.00")),
            ("ce8", Some("000-0000")),
            ("ce9", None),
            ("ce10", Some("yyyy-mm")),
            ("ce11", Some("0000")),
            ("ce12", None),
            ("Default", None),
        ];
        for (style, code) in cases {
            assert_eq!(formats.of(style), code, "{style}");
        }
    }
}
