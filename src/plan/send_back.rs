//! `send-back.csv`: the rejected rows as the vendor sent them (PIN cells
//! emptied), with a last column that says what is wrong, ready to return.

use crate::escape::spreadsheet_cell;
use crate::output::{Output, BOM};
use crate::reconcile::Outcome;
use std::io::{self, Write};

pub struct SendBackCsv;

impl Output for SendBackCsv {
    fn file_name(&self) -> &str {
        "send-back.csv"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(BOM)?;
        let mut w = ::csv::WriterBuilder::new().flexible(true).from_writer(out);
        for header in &outcome.send_back_headers {
            w.write_field(spreadsheet_cell(header).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
        for row in &outcome.send_back {
            for cell in row.cells.iter().chain([&row.problems]) {
                w.write_field(spreadsheet_cell(cell).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }
}
