//! What a receipt says, in Thai or English, and the printer test page.

use serde::{Deserialize, Serialize};
use termdee_domain::{Msisdn, Network, PaymentMethod, Satang, UnixMillis, BANGKOK_OFFSET_MS};

use crate::escpos;
use crate::render::{self, Align, Block, PaperWidth, RenderError, Rendered, Style};

/// The language a receipt is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Thai, with Buddhist-era years (the default: most customers read Thai).
    #[default]
    Thai,
    /// English, with Common-era years.
    English,
}

/// How the sale ended, as the customer is told on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The provider delivered the credit.
    ToppedUp,
    /// The top-up failed after payment and the money is owed back: a person must pay it.
    RefundDue,
    /// The money went back to the customer (cash back or provider refund).
    Refunded,
}

/// Everything a sale's receipt shows, from plain fields: the app maps a sale from the ledger
/// into it, so this crate needs no ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The language the receipt is printed in.
    pub language: Language,
    /// The shop's name, printed large at the top.
    pub shop_name: String,
    /// Optional lines under the name: address, tax id. May be empty.
    pub shop_lines: Vec<String>,
    /// The register (counter or kiosk) the sale was made at.
    pub register: String,
    /// The cashier login or kiosk that made the sale.
    pub operator: String,
    /// The sale's id, which staff look up for a refund or a complaint.
    pub sale_id: String,
    /// When the sale ended; printed in Bangkok time.
    pub at: UnixMillis,
    /// The network the credit was bought for.
    pub network: Network,
    /// The customer's number; printed masked (`081-xxx-5678`).
    pub phone: Msisdn,
    /// The amount paid.
    pub amount: Satang,
    /// How the customer paid.
    pub payment: PaymentMethod,
    /// How the sale ended.
    pub outcome: Outcome,
    /// The provider's reference for the top-up or the refund, when there is one.
    pub reference: Option<String>,
    /// The last line, e.g. "ขอบคุณที่ใช้บริการ". Empty prints nothing.
    pub footer: String,
}

/// The words a receipt uses, in one language.
struct Words {
    title: &'static str,
    date: &'static str,
    register: &'static str,
    operator: &'static str,
    sale: &'static str,
    topup: &'static str,
    phone: &'static str,
    amount: &'static str,
    currency: &'static str,
    paid_by: &'static str,
    status: &'static str,
    reference: &'static str,
    refund_notice: &'static str,
}

const THAI: Words = Words {
    title: "ใบเสร็จรับเงิน",
    date: "วันที่",
    register: "จุดขาย",
    operator: "พนักงาน",
    sale: "เลขที่",
    topup: "เติมเงิน",
    phone: "หมายเลข",
    amount: "จำนวนเงิน",
    currency: "บาท",
    paid_by: "ชำระโดย",
    status: "สถานะ",
    reference: "เลขอ้างอิง",
    refund_notice: "กรุณาติดต่อพนักงานเพื่อรับเงินคืน",
};

const ENGLISH: Words = Words {
    title: "RECEIPT",
    date: "Date",
    register: "Register",
    operator: "Operator",
    sale: "Sale no.",
    topup: "Top-up",
    phone: "Phone",
    amount: "Amount",
    currency: "THB",
    paid_by: "Paid by",
    status: "Status",
    reference: "Reference",
    refund_notice: "Please ask the staff for your refund",
};

impl Language {
    fn words(self) -> &'static Words {
        match self {
            Language::Thai => &THAI,
            Language::English => &ENGLISH,
        }
    }

    /// How a payment method is named to a customer. Every provider QR is a PromptPay transfer
    /// from the customer's side, so the payment provider's name is not shown, except BluePay
    /// whose payment page may take other means.
    pub fn payment_method(self, method: PaymentMethod) -> &'static str {
        match (self, method) {
            (Language::Thai, PaymentMethod::Cash) => "เงินสด",
            (Language::English, PaymentMethod::Cash) => "Cash",
            (Language::Thai, PaymentMethod::PromptPayLocal) => "พร้อมเพย์",
            (Language::English, PaymentMethod::PromptPayLocal) => "PromptPay",
            (Language::Thai, PaymentMethod::Tmweasy | PaymentMethod::DepositQr) => "พร้อมเพย์ QR",
            (Language::English, PaymentMethod::Tmweasy | PaymentMethod::DepositQr) => {
                "PromptPay QR"
            }
            (_, PaymentMethod::BluePay) => "BluePay",
        }
    }

    /// How an outcome is named to a customer.
    pub fn outcome(self, outcome: Outcome) -> &'static str {
        match (self, outcome) {
            (Language::Thai, Outcome::ToppedUp) => "เติมเงินสำเร็จ",
            (Language::English, Outcome::ToppedUp) => "Topped up",
            (Language::Thai, Outcome::RefundDue) => "รอคืนเงิน",
            (Language::English, Outcome::RefundDue) => "Refund due",
            (Language::Thai, Outcome::Refunded) => "คืนเงินแล้ว",
            (Language::English, Outcome::Refunded) => "Refunded",
        }
    }

    /// An amount with its currency: `1,500.00 บาท`, `1,500.00 THB`.
    pub fn amount(self, amount: Satang) -> String {
        format!("{amount} {}", self.words().currency)
    }

    /// A Bangkok date and time: `22 พ.ย. 2569 14:05 น.` in Thai (Buddhist era, year + 543),
    /// `22 Nov 2026 14:05` in English.
    pub fn date_time(self, at: UnixMillis) -> String {
        let local = at + BANGKOK_OFFSET_MS;
        let day = termdee_domain::BusinessDay::of(at);
        let (year, month, date) = day.ymd();
        let minute_of_day = local.rem_euclid(86_400_000) / 60_000;
        let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
        let index = usize::try_from(month - 1).unwrap_or(0).min(11);
        match self {
            Language::Thai => format!(
                "{date} {} {} {hour:02}:{minute:02} น.",
                THAI_MONTHS[index],
                year + 543
            ),
            Language::English => format!(
                "{date} {} {year} {hour:02}:{minute:02}",
                ENGLISH_MONTHS[index]
            ),
        }
    }
}

/// The abbreviations Thai receipts and documents use (ราชบัณฑิตยสถาน).
const THAI_MONTHS: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];
const ENGLISH_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Receipt {
    /// The receipt laid out as blocks, top to bottom.
    pub fn blocks(&self) -> Vec<Block> {
        let language = self.language;
        let words = language.words();
        let mut blocks = vec![Block::Text {
            text: self.shop_name.clone(),
            align: Align::Center,
            style: Style::Large,
        }];
        blocks.extend(
            self.shop_lines
                .iter()
                .filter(|line| !line.trim().is_empty())
                .map(|line| Block::Text {
                    text: line.clone(),
                    align: Align::Center,
                    style: Style::Small,
                }),
        );
        blocks.extend([
            Block::Space(6),
            Block::Text {
                text: words.title.to_owned(),
                align: Align::Center,
                style: Style::Bold,
            },
            Block::Divider,
            Block::row(words.date, language.date_time(self.at)),
            Block::row(words.register, &self.register),
            Block::row(words.operator, &self.operator),
            Block::row(words.sale, &self.sale_id),
            Block::Divider,
            Block::Text {
                text: format!("{} {}", words.topup, self.network.display_name()),
                align: Align::Left,
                style: Style::Bold,
            },
            Block::row(words.phone, self.phone.masked()),
            Block::Row {
                label: words.amount.to_owned(),
                value: language.amount(self.amount),
                style: Style::Large,
            },
            Block::row(words.paid_by, language.payment_method(self.payment)),
            Block::Row {
                label: words.status.to_owned(),
                value: language.outcome(self.outcome).to_owned(),
                style: Style::Bold,
            },
        ]);
        if let Some(reference) = self.reference.as_deref().filter(|r| !r.trim().is_empty()) {
            blocks.push(Block::row(words.reference, reference));
        }
        if self.outcome == Outcome::RefundDue {
            blocks.push(Block::Text {
                text: words.refund_notice.to_owned(),
                align: Align::Center,
                style: Style::Bold,
            });
        }
        blocks.push(Block::Divider);
        if !self.footer.trim().is_empty() {
            blocks.push(Block::text(&self.footer, Align::Center));
        }
        blocks
    }

    /// The receipt as an image as wide as the paper.
    pub fn render(&self, paper: PaperWidth) -> Result<Rendered, RenderError> {
        render::render(&self.blocks(), paper)
    }

    /// The receipt as a PNG, one pixel per printer dot: the preview the UI shows.
    pub fn preview_png(&self, paper: PaperWidth) -> Result<Vec<u8>, RenderError> {
        self.render(paper)?.to_png()
    }

    /// The ESC/POS bytes that print the receipt and cut the paper.
    pub fn print_job(&self, paper: PaperWidth) -> Result<Vec<u8>, RenderError> {
        Ok(escpos::print_job(&self.render(paper)?.raster))
    }
}

/// The printer test page: proves the printer, the paper width and the Thai rendering at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestPage {
    /// The shop's name, printed at the top.
    pub shop_name: String,
    /// Where the printer is (`tcp://192.168.1.50:9100`), printed so staff know which one it was.
    pub printer: String,
    /// When the page was printed.
    pub at: UnixMillis,
}

impl TestPage {
    /// The page laid out for `paper`: both languages, a ruler, a solid band for the print
    /// head, and the width the app believes the printer has (a wrong setting shows as a ruler
    /// cut short or a page printed narrow).
    pub fn blocks(&self, paper: PaperWidth) -> Vec<Block> {
        vec![
            Block::Text {
                text: self.shop_name.clone(),
                align: Align::Center,
                style: Style::Large,
            },
            Block::Text {
                text: "ทดสอบเครื่องพิมพ์ / Printer test".to_owned(),
                align: Align::Center,
                style: Style::Bold,
            },
            Block::Divider,
            Block::text("ภาษาไทย: เติมเงินสำเร็จ ที่นี่ ผู้ให้บริการ", Align::Left),
            Block::text("ญี่ปุ่น ฤๅษี กำลังพิมพ์ ๐๑๒๓๔๕๖๗๘๙", Align::Left),
            Block::text(
                "English: The quick brown fox jumps over the lazy dog.",
                Align::Left,
            ),
            Block::text("0123456789 ฿1,500.00 @#%&*()", Align::Left),
            Block::Divider,
            Block::row(
                "ความกว้าง / Width",
                format!("{} mm, {} dots", paper.millimetres(), paper.dots()),
            ),
            Block::row("เครื่องพิมพ์ / Printer", &self.printer),
            Block::row("วันที่", Language::Thai.date_time(self.at)),
            Block::row("Date", Language::English.date_time(self.at)),
            Block::Space(8),
            Block::Ruler,
            Block::Space(8),
            Block::Bar(16),
        ]
    }

    /// The page as an image.
    pub fn render(&self, paper: PaperWidth) -> Result<Rendered, RenderError> {
        render::render(&self.blocks(paper), paper)
    }

    /// The ESC/POS bytes that print the page and cut the paper.
    pub fn print_job(&self, paper: PaperWidth) -> Result<Vec<u8>, RenderError> {
        Ok(escpos::print_job(&self.render(paper)?.raster))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-22 14:05:09 in Bangkok (07:05:09 UTC).
    const SUNDAY_AFTERNOON: UnixMillis = 1_795_331_109_000;

    #[test]
    fn thai_dates_use_the_buddhist_era_and_english_dates_the_common_era() {
        assert_eq!(
            Language::Thai.date_time(SUNDAY_AFTERNOON),
            "22 พ.ย. 2569 14:05 น."
        );
        assert_eq!(
            Language::English.date_time(SUNDAY_AFTERNOON),
            "22 Nov 2026 14:05"
        );
    }

    #[test]
    fn dates_are_bangkok_dates_not_utc_dates() {
        // 2026-12-31T17:30:00Z is already New Year's Day 2570 (2027) in Bangkok.
        let new_year = 1_798_738_200_000;
        assert_eq!(Language::Thai.date_time(new_year), "1 ม.ค. 2570 00:30 น.");
        assert_eq!(Language::English.date_time(new_year), "1 Jan 2027 00:30");
        assert_eq!(
            Language::English.date_time(new_year - 1_800_001),
            "31 Dec 2026 23:59"
        );
        assert_eq!(Language::Thai.date_time(0), "1 ม.ค. 2513 07:00 น.");
    }

    #[test]
    fn amounts_have_two_decimals_and_thousands_separators() {
        assert_eq!(Language::Thai.amount(Satang::new(15_000)), "150.00 บาท");
        assert_eq!(
            Language::English.amount(Satang::new(150_050)),
            "1,500.50 THB"
        );
        assert_eq!(Language::English.amount(Satang::new(5)), "0.05 THB");
    }

    #[test]
    fn every_method_and_outcome_has_a_name_in_both_languages() {
        for language in [Language::Thai, Language::English] {
            for method in PaymentMethod::ALL {
                assert!(!language.payment_method(method).is_empty());
            }
            for outcome in [Outcome::ToppedUp, Outcome::RefundDue, Outcome::Refunded] {
                assert!(!language.outcome(outcome).is_empty());
            }
        }
        assert_eq!(Language::Thai.outcome(Outcome::ToppedUp), "เติมเงินสำเร็จ");
    }
}
