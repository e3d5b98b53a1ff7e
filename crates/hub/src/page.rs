//! The owner's page: server-rendered HTML with Thai and English labels, no script.
//!
//! One page answers "how did the shops do, and does anything need me": the report (a plain GET
//! form picks the days and the breakdown), each register's health, the sales waiting for a
//! person, and relayed callbacks that are still open or were refused. Everything shown is
//! escaped by `maud`; amounts are baht with two decimals, times are Bangkok time.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use termdee_domain::report::{ReportDimension, ReportRow};
use termdee_domain::{BusinessDay, Satang, UnixMillis, BANGKOK_OFFSET_MS};

use crate::owner::UnresolvedSale;
use crate::wire::{CallbackView, FleetHealth, FleetReport};

/// A Bangkok wall-clock time, `YYYY-MM-DD HH:MM`.
fn bangkok(at: UnixMillis) -> String {
    let minutes = (at + BANGKOK_OFFSET_MS).rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        BusinessDay::of(at),
        minutes / 60,
        minutes % 60
    )
}

fn when(at: Option<UnixMillis>) -> String {
    at.map_or_else(|| "—".to_owned(), bangkok)
}

fn baht(satang: i64) -> String {
    Satang::new(satang).to_string()
}

fn dimension_label(by: ReportDimension) -> &'static str {
    match by {
        ReportDimension::Operator => "พนักงาน / Operator",
        ReportDimension::Network => "เครือข่าย / Network",
        ReportDimension::Provider => "ผู้ให้บริการ / Provider",
        ReportDimension::Method => "วิธีชำระ / Payment method",
        ReportDimension::Register => "เครื่อง / Register",
    }
}

fn report_line(label: &str, row: &ReportRow) -> Markup {
    html! {
        td { (label) }
        td.n { (row.sales.count) } td.n { (baht(row.sales.satang.as_satang())) }
        td.n { (baht(row.received.satang.as_satang())) }
        td.n { (row.completed.count) } td.n { (baht(row.completed.satang.as_satang())) }
        td.n { (row.refunded.count) } td.n { (baht(row.refunded.satang.as_satang())) }
        td.n { (row.refund_due.count) } td.n { (baht(row.refund_due.satang.as_satang())) }
        td.n { (row.needs_attention.count) } td.n { (baht(row.needs_attention.satang.as_satang())) }
        td.n { (row.in_progress.count) }
        td.n { (row.unpaid.count) }
        td.n { (baht(row.cost.as_satang())) } td.n { (baht(row.margin.as_satang())) }
    }
}

const STYLE: &str = "
body{font-family:Sarabun,'Noto Sans Thai',sans-serif;margin:1.5rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f4f4f4}
.warn{color:#a40000;font-weight:bold}.quiet{color:#777}
form{margin:1rem 0}label{margin-right:1rem}
";

/// The whole page.
pub(crate) fn render(
    report: &FleetReport,
    health: &FleetHealth,
    callbacks: &[CallbackView],
    unresolved: &[UnresolvedSale],
) -> String {
    let label = |key: &str| -> String {
        match report.labels.get(key) {
            Some(name) if name != key => format!("{name} ({key})"),
            _ if key.is_empty() => "—".to_owned(),
            _ => key.to_owned(),
        }
    };
    let markup = html! {
        (DOCTYPE)
        html lang="th" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "เติมดี — ภาพรวมทุกเครื่อง / Termdee fleet" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "เติมดี — ภาพรวมทุกเครื่อง / Termdee fleet" }
                p.quiet { "ข้อมูล ณ / As of " (bangkok(health.at)) " (เวลากรุงเทพฯ / Bangkok time)" }

                form method="get" {
                    label { "ตั้งแต่ / From " input type="date" name="from" value=(report.from.to_string()); }
                    label { "ถึง / To " input type="date" name="to" value=(report.to.to_string()); }
                    label { "แยกตาม / By "
                        select name="by" {
                            @for by in ReportDimension::ALL {
                                option value=(by.code()) selected[by == report.by] { (dimension_label(by)) }
                            }
                        }
                    }
                    button type="submit" { "แสดง / Show" }
                }

                h2 { "ยอดขาย / Sales — " (report.from.to_string()) " … " (report.to.to_string())
                     ", " (dimension_label(report.by)) }
                table {
                    thead {
                        tr {
                            th rowspan="2" { (dimension_label(report.by)) }
                            th colspan="2" { "ขายทั้งหมด / All sales" }
                            th rowspan="2" { "รับเงิน / Received" }
                            th colspan="2" { "เติมสำเร็จ / Topped up" }
                            th colspan="2" { "คืนเงินแล้ว / Refunded" }
                            th colspan="2" { "ค้างคืนเงิน / Refund due" }
                            th colspan="2" { "รอตรวจสอบ / Needs attention" }
                            th rowspan="2" { "กำลังทำ / In progress" }
                            th rowspan="2" { "ไม่ได้ชำระ / Unpaid" }
                            th rowspan="2" { "ต้นทุน / Cost" }
                            th rowspan="2" { "กำไร / Margin" }
                        }
                        tr {
                            @for _ in 0..5 { th { "รายการ / Count" } th { "บาท / Baht" } }
                        }
                    }
                    tbody {
                        @for row in &report.rows { tr { (report_line(&label(&row.key), row)) } }
                        tr.total { (report_line("รวม / Total", &report.total)) }
                    }
                }

                h2 { "เครื่องขาย / Registers" }
                table {
                    thead { tr {
                        th { "เครื่อง / Register" }
                        th { "ติดต่อล่าสุด / Last seen" }
                        th { "ค้างส่ง / Outbox backlog" }
                        th { "ยอดเงินผู้ให้บริการ / Provider balances" }
                        th { "รอคนดูแล / Unresolved" }
                        th { "กำลังทำ / In progress" }
                        th { "callback รอส่ง / Callbacks waiting" }
                        th { "callback ถูกปฏิเสธ / Callbacks refused" }
                    } }
                    tbody {
                        @for r in &health.registers {
                            tr {
                                td { (r.name) " (" (r.register_id) ")" }
                                td { (when(r.last_seen_at)) }
                                td class=(if r.backlog > 0 { "n warn" } else { "n" }) { (r.backlog) }
                                td {
                                    @for b in &r.balances {
                                        div {
                                            (b.provider) ": "
                                            @match b.available {
                                                Some(available) => { (available.to_string()) " ฿" }
                                                None => { span.warn { "อ่านไม่ได้ / unreadable" } }
                                            }
                                            span.quiet { " (" (bangkok(b.checked_at)) ")" }
                                        }
                                    }
                                }
                                td class=(if r.unresolved > 0 { "n warn" } else { "n" }) { (r.unresolved) }
                                td.n { (r.in_progress) }
                                td.n { (r.callbacks_waiting) }
                                td class=(if r.callbacks_refused > 0 { "n warn" } else { "n" }) { (r.callbacks_refused) }
                            }
                        }
                    }
                }

                h2 { "รายการที่ต้องดูแล / Sales waiting for a person" }
                @if unresolved.is_empty() {
                    p.quiet { "ไม่มี / None" }
                } @else {
                    table {
                        thead { tr {
                            th { "เครื่อง / Register" } th { "รายการ / Sale" } th { "พนักงาน / Operator" }
                            th { "สถานะ / State" } th { "ราคา / Price" } th { "ค้าง / Outstanding" }
                            th { "หมายเหตุ / Note" } th { "อัปเดต / Updated" }
                        } }
                        tbody {
                            @for s in unresolved {
                                tr {
                                    td { (s.register_id) } td { (s.sale_id) } td { (s.operator_id) }
                                    td { (s.state) } td.n { (baht(s.amount)) } td.n { (baht(s.outstanding)) }
                                    td { (s.attention.as_deref().unwrap_or("")) } td { (bangkok(s.updated_at)) }
                                }
                            }
                        }
                    }
                }

                h2 { "Callback ที่ยังเปิดอยู่ / Open relayed callbacks" }
                @if callbacks.is_empty() {
                    p.quiet { "ไม่มี / None" }
                } @else {
                    table {
                        thead { tr {
                            th { "#" } th { "เครื่อง / Register" } th { "ผู้ให้บริการ / Provider" }
                            th { "รับเมื่อ / Received" } th { "คำสั่งซื้อ / Order" }
                            th { "ผลที่เครื่อง / Register's verdict" } th { "เนื้อหา / Body" }
                        } }
                        tbody {
                            @for c in callbacks {
                                tr {
                                    td { (c.id) } td { (c.register_id) } td { (c.provider) }
                                    td { (bangkok(c.received_at)) }
                                    td { (c.order_ref.as_deref().unwrap_or("—")) }
                                    td {
                                        @match &c.verdict {
                                            Some(verdict) => { span.warn { (verdict) } }
                                            None => { span.quiet { "ยังไม่ถึงเครื่อง / not yet handled (" (c.deliveries) ")" } }
                                        }
                                        @if let Some(error) = &c.parse_error { div.quiet { (error) } }
                                    }
                                    td { code { (c.body_preview) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    markup.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::RegisterHealth;
    use std::collections::BTreeMap;

    #[test]
    fn times_are_bangkok_wall_clock() {
        // 2026-03-01 00:00 Bangkok is 2026-02-28 17:00 UTC.
        let start = BusinessDay::parse("2026-03-01").unwrap().start();
        assert_eq!(bangkok(start), "2026-03-01 00:00");
        assert_eq!(
            bangkok(start + 13 * 3_600_000 + 5 * 60_000),
            "2026-03-01 13:05"
        );
        assert_eq!(when(None), "—");
    }

    #[test]
    fn the_page_escapes_what_registers_and_providers_sent() {
        let day = BusinessDay::parse("2026-03-01").unwrap();
        let report = FleetReport {
            from: day,
            to: day,
            by: ReportDimension::Operator,
            register: None,
            rows: vec![ReportRow {
                key: "op<script>".into(),
                ..ReportRow::default()
            }],
            total: ReportRow::default(),
            labels: BTreeMap::new(),
            days: Vec::new(),
        };
        let health = FleetHealth {
            at: day.start(),
            registers: vec![RegisterHealth {
                register_id: "kiosk-1".into(),
                name: "ตู้ <b>1</b>".into(),
                last_seen_at: None,
                last_push_at: None,
                applied_seq: 1,
                head_seq: 3,
                backlog: 2,
                balances: vec![],
                unresolved: 1,
                in_progress: 0,
                callbacks_waiting: 0,
                callbacks_refused: 0,
            }],
        };
        let callback = CallbackView {
            id: 7,
            register_id: "kiosk-1".into(),
            provider: "wepay".into(),
            received_at: day.start(),
            order_ref: None,
            parse_error: Some("missing dest_ref".into()),
            reply_status: 400,
            deliveries: 0,
            acked_at: None,
            verdict: None,
            sale_id: None,
            body_preview: "<img src=x onerror=alert(1)>".into(),
        };
        let page = render(&report, &health, &[callback], &[]);
        assert!(page.contains("op&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<img src=x"));
        assert!(page.contains("ตู้ &lt;b&gt;1&lt;/b&gt;"));
        assert!(page.contains("ยอดขาย / Sales"));
        assert!(page.contains("missing dest_ref"));
    }
}
