//! Receipts for finished sales: the preview on screen, and the reprint queue behind the printer.
//!
//! A sale never waits for paper. Printing only adds a job to the queue (`termdee-receipt`'s
//! SQLite `PrintQueue` in the data folder); the worker started with the engine sends it to the
//! printer from settings and retries with backoff while the printer is off, out of paper or
//! slow. A receipt is offered once a sale has ended for the customer (topped up, refund due,
//! refunded): the paper says which.

use std::sync::Arc;

use base64::Engine as _;
use termdee_ledger::Sale;
use termdee_receipt::{
    JobId, JobState, Language as PaperLanguage, NewJob, Outcome, PaperWidth, PrintJob, PrintQueue,
    PrintWorker, Printer, PrinterAddress, Receipt, TestPage,
};

use super::views::{Language, PrintJobView, ReceiptPreview};
use super::{internal, Shop};
use crate::error::{AppError, ErrorCode};
use crate::settings::Settings;

/// The reprint queue's file in the data folder.
pub const QUEUE_FILE: &str = "print-queue.sqlite";

fn queue_error(error: termdee_receipt::QueueError) -> AppError {
    AppError::new(ErrorCode::PrinterUnavailable, error.to_string())
}

fn paper(settings: &Settings) -> PaperWidth {
    if settings.printer_width_dots >= 576 {
        PaperWidth::Mm80
    } else {
        PaperWidth::Mm58
    }
}

fn job_view(job: &PrintJob) -> PrintJobView {
    PrintJobView {
        id: job.id.0,
        sale_id: job.sale_id.clone(),
        state: match job.state {
            JobState::Queued => "queued",
            JobState::Printing => "printing",
            JobState::Printed => "printed",
            JobState::Failed => "failed",
        }
        .to_owned(),
        attempts: i64::from(job.attempts),
        last_error: job.last_error.clone(),
        created_at: job.created_at,
    }
}

/// The printer from settings, or why there is none.
pub(crate) fn printer(settings: &Settings) -> Result<Printer, AppError> {
    let text = settings.printer.trim();
    if text.is_empty() {
        return Err(AppError::new(
            ErrorCode::PrinterUnavailable,
            "no receipt printer is set (settings)",
        ));
    }
    let address: PrinterAddress = text.parse().map_err(|error| {
        AppError::new(
            ErrorCode::InvalidSettings,
            format!("the printer {text:?}: {error}"),
        )
    })?;
    Ok(Printer::new(address))
}

/// Starts the queue's worker for the printer in settings (none when no printer is set); the
/// task is aborted with the engine when settings change.
pub(crate) fn start_worker(
    queue: &PrintQueue,
    settings: &Settings,
) -> Option<tokio::task::JoinHandle<()>> {
    let printer = printer(settings).ok()?;
    let worker = PrintWorker::new(queue.clone(), printer);
    Some(tokio::spawn(worker.run_until(std::future::pending())))
}

impl Shop {
    fn queue(&self) -> Result<&PrintQueue, AppError> {
        self.print_queue.as_ref().map_err(Clone::clone)
    }

    /// The receipt of a sale that has ended for the customer.
    fn receipt_of(&self, sale: &Sale, settings: &Settings) -> Result<Receipt, AppError> {
        let ledger = self.ledger()?;
        let outcome = match sale.state {
            termdee_domain::SaleState::Completed => Outcome::ToppedUp,
            termdee_domain::SaleState::RefundDue => Outcome::RefundDue,
            termdee_domain::SaleState::Refunded => Outcome::Refunded,
            other => {
                return Err(AppError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "sale {} is {other}: its receipt comes when it ends",
                        sale.id
                    ),
                ))
            }
        };
        let reference = ledger
            .topups_of(&sale.id)
            .map_err(internal)?
            .into_iter()
            .filter(|t| t.state.code() == "succeeded")
            .find_map(|t| t.provider_ref);
        let operator = ledger
            .operator(&sale.operator_id)
            .map_err(internal)?
            .map_or_else(|| sale.operator_id.clone(), |o| o.name);
        let language = match settings.language {
            Language::Th => PaperLanguage::Thai,
            Language::En => PaperLanguage::English,
        };
        Ok(Receipt {
            language,
            shop_name: if settings.shop_name.trim().is_empty() {
                "Termdee".to_owned()
            } else {
                settings.shop_name.clone()
            },
            shop_lines: Vec::new(),
            register: settings.register_name.clone(),
            operator,
            sale_id: sale.id.clone(),
            at: sale.updated_at,
            network: sale.network,
            phone: sale.phone.clone(),
            amount: sale.amount,
            payment: sale.method,
            outcome,
            reference,
            footer: match language {
                PaperLanguage::Thai => "ขอบคุณที่ใช้บริการ".to_owned(),
                PaperLanguage::English => "Thank you".to_owned(),
            },
        })
    }

    /// The receipt as it prints, for the screen.
    pub fn receipt_preview(&self, sale_id: &str) -> Result<ReceiptPreview, AppError> {
        let session = self.session()?;
        let settings = self.settings_or_default();
        let sale = self.visible_sale(&session, sale_id)?;
        let receipt = self.receipt_of(&sale, &settings)?;
        let png = receipt.preview_png(paper(&settings)).map_err(internal)?;
        Ok(ReceiptPreview {
            sale_id: sale.id,
            png_data_url: format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(png)
            ),
        })
    }

    /// Queues a sale's receipt (a reprint is the same); the sale never waits for paper.
    pub fn print_receipt(&self, sale_id: &str) -> Result<PrintJobView, AppError> {
        let session = self.session()?;
        let settings = self.settings_or_default();
        printer(&settings)?;
        let sale = self.visible_sale(&session, sale_id)?;
        let receipt = self.receipt_of(&sale, &settings)?;
        let queue = self.queue()?;
        let id = queue
            .enqueue_receipt(&receipt, paper(&settings))
            .map_err(queue_error)?;
        Ok(job_view(&queue.get(id).map_err(queue_error)?))
    }

    /// Queues the printer test page.
    pub fn print_test_page(&self) -> Result<PrintJobView, AppError> {
        let session = self.session()?;
        crate::auth::require(&session, crate::auth::Permission::ChangeSettings)?;
        let settings = self.settings_or_default();
        let printer = printer(&settings)?;
        let page = TestPage {
            shop_name: settings.shop_name.clone(),
            printer: printer.address().to_string(),
            at: self.now(),
        };
        let queue = self.queue()?;
        let id = queue
            .enqueue(NewJob {
                title: "ทดสอบเครื่องพิมพ์ / Printer test".to_owned(),
                sale_id: None,
                receipt: None,
                escpos: page.print_job(paper(&settings)).map_err(internal)?,
            })
            .map_err(queue_error)?;
        Ok(job_view(&queue.get(id).map_err(queue_error)?))
    }

    /// The print queue, newest first.
    pub fn print_jobs(&self) -> Result<Vec<PrintJobView>, AppError> {
        self.session()?;
        let mut jobs: Vec<PrintJobView> = self
            .queue()?
            .list()
            .map_err(queue_error)?
            .iter()
            .map(job_view)
            .collect();
        jobs.reverse();
        Ok(jobs)
    }

    /// Tries a job again now (a failed receipt, or a reprint of a printed one).
    pub fn retry_print(&self, job_id: i64) -> Result<PrintJobView, AppError> {
        self.session()?;
        let queue = self.queue()?;
        queue.retry(JobId(job_id)).map_err(queue_error)?;
        Ok(job_view(&queue.get(JobId(job_id)).map_err(queue_error)?))
    }
}

/// Opens the reprint queue in the data folder.
pub(crate) fn open_queue(
    data_dir: &std::path::Path,
    clock: Arc<dyn termdee_domain::Clock>,
) -> Result<PrintQueue, AppError> {
    PrintQueue::open(data_dir.join(QUEUE_FILE), clock).map_err(queue_error)
}
