//! # termdee-receipt — Thai receipts on ESC/POS thermal printers
//!
//! After a sale ends, the customer gets a paper receipt: shop, register, operator, sale id,
//! Bangkok date and time (Buddhist-era year in Thai), network, the phone number masked, the
//! amount, how it was paid, how it ended (topped up, refund due, refunded) and the provider's
//! reference. This crate turns those plain fields into paper.
//!
//! The path, and the main type of each step:
//!
//! 1. [`Receipt`] (and [`TestPage`]): what is printed, in [`Language::Thai`] or
//!    [`Language::English`], laid out as [`Block`]s (text, label/value rows, dividers).
//! 2. [`render()`]: the blocks become a 1-bit [`Raster`] as wide as the paper
//!    ([`PaperWidth::Mm58`], 384 dots, or [`PaperWidth::Mm80`], 576 dots). Each line is
//!    shaped by rustybuzz with the bundled Sarabun font and rasterized by ab_glyph, so Thai
//!    vowels and tone marks stack where the font's designers anchored them.
//!    [`Receipt::preview_png`] gives the same picture as a PNG for the UI.
//! 3. [`escpos`]: the raster as ESC/POS — `ESC @`, `GS v 0` in bands, feed, partial cut —
//!    plus the `DLE EOT` status bytes, and a decoder for tests.
//! 4. [`Printer`]: sends a job over raw TCP (`tcp://host:9100`) or to a device file
//!    (`/dev/usb/lp0`), with timeouts, and only calls it printed once the printer showed it
//!    read the whole job.
//! 5. [`PrintQueue`] and [`PrintWorker`]: the reprint queue. A sale only enqueues its
//!    receipt (one SQLite insert); the worker prints in the background with retries and
//!    backoff; jobs can be listed, retried (reprinted) and discarded, and survive a restart.
//!
//! [`fake_printer`] is a loopback printer for tests that decodes the stream, answers status,
//! and can be out of paper, silent, hung or down.
//!
//! ## The key decision: the receipt is a picture
//!
//! Thai text is printed as a raster image rendered here, never as text in the printer's code
//! page. Printers' Thai support differs by brand and model (different Thai code page numbers,
//! different handling of the marks above and below a line, or no Thai at all), and a wrong
//! guess prints garbage on a customer's receipt. A picture costs more bytes (about 30–60 KB a receipt, a fraction
//! of a second over a network or USB link) and prints the same on every printer that knows
//! `GS v 0`, which is every ESC/POS printer sold since the Epson TM-T88II. It also makes the
//! UI's preview exactly what comes out of the printer.
//!
//! The second decision is that printing can never block or lose a sale: see [`queue`].
#![deny(missing_docs)]

pub mod escpos;
pub mod fake_printer;
mod printer;
pub mod queue;
mod raster;
mod receipt;
mod render;
mod worker;

pub use printer::{
    BadAddress, PrintError, Printer, PrinterAddress, PrinterStatus, PrinterTimeouts,
};
pub use queue::{JobId, JobState, NewJob, PrintJob, PrintQueue, QueueError, RetryPolicy};
pub use raster::Raster;
pub use receipt::{Language, Outcome, Receipt, TestPage};
pub use render::{
    render, Align, Block, PaperWidth, RenderError, Rendered, Shaped, Style, Typesetter,
};
pub use worker::{Pass, PrintWorker};
