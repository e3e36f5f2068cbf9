//! The templates shipped with the product, in English and Vietnamese. Admins override any of
//! them per event × channel × locale; a deleted override falls back to these.
//!
//! One entry per event and locale: the subject (email subject, in-app title), the body (email
//! text part, in-app body; the HTML part is the body in the standard layout) and, for events
//! sent by SMS, the SMS text.

use super::Channel;

pub const LOCALES: &[&str] = &["en", "vi"];
pub const FALLBACK_LOCALE: &str = "en";

/// A template's three parts, as Jinja sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateParts {
    pub subject: String,
    pub text: String,
    /// Email only.
    pub html: Option<String>,
}

struct Default {
    event: &'static str,
    locale: &'static str,
    subject: &'static str,
    body: &'static str,
    sms: Option<&'static str>,
}

const fn d(
    event: &'static str,
    locale: &'static str,
    subject: &'static str,
    body: &'static str,
) -> Default {
    Default {
        event,
        locale,
        subject,
        body,
        sms: None,
    }
}

const fn s(
    event: &'static str,
    locale: &'static str,
    subject: &'static str,
    body: &'static str,
    sms: &'static str,
) -> Default {
    Default {
        event,
        locale,
        subject,
        body,
        sms: Some(sms),
    }
}

#[rustfmt::skip]
const DEFAULTS: &[Default] = &[
    d("auth.user_registered.v1", "en", "Welcome to EVDMS",
      "Hello {{ recipientName }},\n\nan EVDMS account was created for you ({{ email }}, role {{ role }}). Sign in at {{ appUrl }} with the password you were given and change it."),
    d("auth.user_registered.v1", "vi", "Chào mừng bạn đến với EVDMS",
      "Xin chào {{ recipientName }},\n\ntài khoản EVDMS của bạn đã được tạo ({{ email }}, vai trò {{ role }}). Hãy đăng nhập tại {{ appUrl }} bằng mật khẩu được cấp và đổi mật khẩu."),
    d("auth.password_reset_requested.v1", "en", "Reset your EVDMS password",
      "Hello {{ recipientName }},\n\nuse this link before {{ expiresAt | datetime }} to choose a new password:\n{{ appUrl }}/reset-password?token={{ resetToken }}\n\nIf you did not ask for it, ignore this message."),
    d("auth.password_reset_requested.v1", "vi", "Đặt lại mật khẩu EVDMS",
      "Xin chào {{ recipientName }},\n\nhãy dùng liên kết này trước {{ expiresAt | datetime }} để chọn mật khẩu mới:\n{{ appUrl }}/reset-password?token={{ resetToken }}\n\nNếu bạn không yêu cầu, hãy bỏ qua thư này."),
    d("manufacturer.dealer_order_placed.v1", "en", "Dealer order {{ orderNumber }} placed",
      "A dealer placed order {{ orderNumber }} for {{ total | money }}. It waits for approval."),
    d("manufacturer.dealer_order_placed.v1", "vi", "Đơn đặt xe {{ orderNumber }} mới",
      "Một đại lý đã đặt đơn {{ orderNumber }} trị giá {{ total | money }}. Đơn đang chờ duyệt."),
    d("manufacturer.dealer_order_approved.v1", "en", "Order {{ orderNumber }} approved",
      "Hello {{ recipientName }},\n\nthe manufacturer approved your order {{ orderNumber }} ({{ total | money }}). Vehicles will be allocated next."),
    d("manufacturer.dealer_order_approved.v1", "vi", "Đơn {{ orderNumber }} đã được duyệt",
      "Xin chào {{ recipientName }},\n\nhãng đã duyệt đơn {{ orderNumber }} ({{ total | money }}) của bạn. Xe sẽ được phân bổ tiếp theo."),
    d("manufacturer.vehicles_allocated.v1", "en", "Vehicles allocated",
      "{{ units | length }} vehicle(s) were allocated to your order."),
    d("manufacturer.vehicles_allocated.v1", "vi", "Xe đã được phân bổ",
      "{{ units | length }} xe đã được phân bổ cho đơn của bạn."),
    d("manufacturer.dealer_order_shipped.v1", "en", "Order {{ orderNumber }} shipped",
      "Hello {{ recipientName }},\n\norder {{ orderNumber }} shipped with {{ units | length }} vehicle(s). Invoice {{ invoiceNumber }} of {{ invoiceAmount | money }} is due on {{ invoiceDueDate }}."),
    d("manufacturer.dealer_order_shipped.v1", "vi", "Đơn {{ orderNumber }} đã xuất kho",
      "Xin chào {{ recipientName }},\n\nđơn {{ orderNumber }} đã được giao vận với {{ units | length }} xe. Hoá đơn {{ invoiceNumber }} trị giá {{ invoiceAmount | money }} đến hạn ngày {{ invoiceDueDate }}."),
    d("manufacturer.dealer_order_delivered.v1", "en", "Dealer confirmed receipt",
      "The dealer confirmed receipt of {{ vins | length }} vehicle(s)."),
    d("manufacturer.dealer_order_delivered.v1", "vi", "Đại lý đã nhận xe",
      "Đại lý đã xác nhận nhận {{ vins | length }} xe."),
    d("manufacturer.dealer_order_disputed.v1", "en", "Dealer order {{ orderNumber }} disputed",
      "Hello {{ recipientName }},\n\nthe dealer disputed the delivery of order {{ orderNumber }} on {{ disputedAt | datetime }}: {{ reason }}\n\nResolve it at {{ appUrl }}/dealer-orders/{{ orderId }}"),
    d("manufacturer.dealer_order_disputed.v1", "vi", "Đơn {{ orderNumber }} bị đại lý khiếu nại",
      "Xin chào {{ recipientName }},\n\nđại lý đã khiếu nại việc giao đơn {{ orderNumber }} lúc {{ disputedAt | datetime }}: {{ reason }}\n\nXử lý tại {{ appUrl }}/dealer-orders/{{ orderId }}"),
    d("manufacturer.stock_low.v1", "en", "OEM stock low",
      "Only {{ available }} unit(s) of a variant are available (threshold {{ threshold }})."),
    d("manufacturer.stock_low.v1", "vi", "Tồn kho của hãng thấp",
      "Chỉ còn {{ available }} xe của một phiên bản (ngưỡng {{ threshold }})."),
    d("manufacturer.invoice_overdue.v1", "en", "Invoice {{ invoiceNumber }} is overdue",
      "Hello {{ recipientName }},\n\ninvoice {{ invoiceNumber }} was due on {{ dueDate }}; {{ outstanding | money }} is outstanding."),
    d("manufacturer.invoice_overdue.v1", "vi", "Hoá đơn {{ invoiceNumber }} quá hạn",
      "Xin chào {{ recipientName }},\n\nhoá đơn {{ invoiceNumber }} đến hạn ngày {{ dueDate }}; còn nợ {{ outstanding | money }}."),
    d("dealer.quotation_sent.v1", "en", "Your quotation {{ quotationNumber }}",
      "Dear {{ recipientName }},\n\nthank you for your interest. Your quotation {{ quotationNumber }} totals {{ total | money }} and is valid until {{ validUntil }}."),
    d("dealer.quotation_sent.v1", "vi", "Báo giá {{ quotationNumber }} của quý khách",
      "Kính gửi {{ recipientName }},\n\ncảm ơn quý khách đã quan tâm. Báo giá {{ quotationNumber }} có tổng giá trị {{ total | money }}, hiệu lực đến {{ validUntil }}."),
    d("dealer.order_created.v1", "en", "Sales order {{ orderNumber }} needs approval",
      "Sales order {{ orderNumber }} ({{ total | money }}, VIN {{ vin }}) was created and waits for your approval."),
    d("dealer.order_created.v1", "vi", "Đơn bán {{ orderNumber }} chờ duyệt",
      "Đơn bán {{ orderNumber }} ({{ total | money }}, VIN {{ vin }}) đã được tạo và đang chờ bạn duyệt."),
    d("dealer.order_approved.v1", "en", "Your order {{ orderNumber }} is confirmed",
      "Dear {{ recipientName }},\n\nyour order {{ orderNumber }} was approved. We will contact you about the contract."),
    d("dealer.order_approved.v1", "vi", "Đơn hàng {{ orderNumber }} đã được xác nhận",
      "Kính gửi {{ recipientName }},\n\nđơn hàng {{ orderNumber }} của quý khách đã được duyệt. Chúng tôi sẽ liên hệ về hợp đồng."),
    d("dealer.payment_received.v1", "en", "Payment received",
      "Dear {{ recipientName }},\n\nwe received your payment of {{ amount | money }} ({{ method }}) on {{ receivedAt | datetime }}. Paid so far: {{ paidTotal | money }}; outstanding: {{ outstanding | money }}."),
    d("dealer.payment_received.v1", "vi", "Đã nhận thanh toán",
      "Kính gửi {{ recipientName }},\n\nchúng tôi đã nhận {{ amount | money }} ({{ method }}) lúc {{ receivedAt | datetime }}. Đã thanh toán: {{ paidTotal | money }}; còn lại: {{ outstanding | money }}."),
    s("dealer.instalment_overdue.v1", "en", "Instalment {{ instalmentNumber }} is overdue",
      "Dear {{ recipientName }},\n\ninstalment {{ instalmentNumber }} of {{ amountDue | money }} was due on {{ dueDate }}. Please pay it at your earliest convenience.",
      "EVDMS: instalment {{ instalmentNumber }} of {{ amountDue | money }} was due on {{ dueDate }}. Please pay soon."),
    s("dealer.instalment_overdue.v1", "vi", "Kỳ trả góp {{ instalmentNumber }} quá hạn",
      "Kính gửi {{ recipientName }},\n\nkỳ trả góp {{ instalmentNumber }} số tiền {{ amountDue | money }} đã đến hạn ngày {{ dueDate }}. Vui lòng thanh toán sớm.",
      "EVDMS: ky tra gop {{ instalmentNumber }} ({{ amountDue | money }}) da qua han ngay {{ dueDate }}. Vui long thanh toan som."),
    d("dealer.vehicle_delivered.v1", "en", "Enjoy your new car",
      "Dear {{ recipientName }},\n\nthank you for choosing us: vehicle {{ vin }} was delivered on {{ deliveredAt | datetime }}. Tell us how it went: {{ appUrl }}/feedback?order={{ orderId }}"),
    d("dealer.vehicle_delivered.v1", "vi", "Chúc mừng quý khách nhận xe mới",
      "Kính gửi {{ recipientName }},\n\ncảm ơn quý khách: xe {{ vin }} đã được bàn giao lúc {{ deliveredAt | datetime }}. Hãy cho chúng tôi biết cảm nhận: {{ appUrl }}/feedback?order={{ orderId }}"),
    d("dealer.stock_low.v1", "en", "Dealer stock low",
      "Only {{ inStock }} unit(s) of a variant are in stock (threshold {{ threshold }})."),
    d("dealer.stock_low.v1", "vi", "Tồn kho đại lý thấp",
      "Chỉ còn {{ inStock }} xe của một phiên bản trong kho (ngưỡng {{ threshold }})."),
    s("customer.test_drive_scheduled.v1", "en", "Your test drive is booked",
      "Dear {{ recipientName }},\n\nyour test drive is booked for {{ startsAt | datetime }} to {{ endsAt | datetime }}. See you there!",
      "EVDMS: your test drive is booked for {{ startsAt | datetime }}."),
    s("customer.test_drive_scheduled.v1", "vi", "Lịch lái thử đã được đặt",
      "Kính gửi {{ recipientName }},\n\nlịch lái thử của quý khách từ {{ startsAt | datetime }} đến {{ endsAt | datetime }}. Hẹn gặp quý khách!",
      "EVDMS: lich lai thu cua quy khach luc {{ startsAt | datetime }}."),
    s("notification.test_drive_reminder.v1", "en", "Reminder: test drive on {{ startsAt | datetime }}",
      "Hello {{ recipientName }},\n\na reminder: the test drive booked for {{ startsAt | datetime }} to {{ endsAt | datetime }} is coming up.",
      "EVDMS reminder: test drive on {{ startsAt | datetime }}."),
    s("notification.test_drive_reminder.v1", "vi", "Nhắc lịch lái thử lúc {{ startsAt | datetime }}",
      "Xin chào {{ recipientName }},\n\nxin nhắc: lịch lái thử từ {{ startsAt | datetime }} đến {{ endsAt | datetime }} sắp diễn ra.",
      "EVDMS: nhac lich lai thu luc {{ startsAt | datetime }}."),
    s("notification.instalment_due_soon.v1", "en", "Instalment {{ instalmentNumber }} is due on {{ dueDate }}",
      "Dear {{ recipientName }},\n\ninstalment {{ instalmentNumber }} of order {{ orderNumber }}, {{ amountDue | money }}, is due on {{ dueDate }}. If you have paid it already, please ignore this reminder.",
      "EVDMS: instalment {{ instalmentNumber }} of {{ amountDue | money }} is due on {{ dueDate }}."),
    s("notification.instalment_due_soon.v1", "vi", "Kỳ trả góp {{ instalmentNumber }} đến hạn ngày {{ dueDate }}",
      "Kính gửi {{ recipientName }},\n\nkỳ trả góp {{ instalmentNumber }} của đơn {{ orderNumber }}, số tiền {{ amountDue | money }}, đến hạn ngày {{ dueDate }}. Nếu quý khách đã thanh toán, xin bỏ qua lời nhắc này.",
      "EVDMS: ky tra gop {{ instalmentNumber }} ({{ amountDue | money }}) den han ngay {{ dueDate }}."),
    d("customer.complaint_filed.v1", "en", "New {{ severity }} {{ kind }}",
      "A {{ severity }} {{ kind }} was filed by {{ channel }}."),
    d("customer.complaint_filed.v1", "vi", "Phản hồi mới ({{ severity }})",
      "Có phản hồi loại {{ kind }}, mức {{ severity }}, qua kênh {{ channel }}."),
    d("customer.complaint_assigned.v1", "en", "A {{ kind }} was assigned to you",
      "Hello {{ recipientName }},\n\na {{ severity }} {{ kind }} was assigned to you. Open it at {{ appUrl }}/feedback/{{ feedbackId }}"),
    d("customer.complaint_assigned.v1", "vi", "Bạn được giao xử lý phản hồi",
      "Xin chào {{ recipientName }},\n\nbạn được giao xử lý một phản hồi ({{ kind }}, mức {{ severity }}). Xem tại {{ appUrl }}/feedback/{{ feedbackId }}"),
];

/// The daily digest email ([`super::digest::TEMPLATE`]): one line per held message.
#[rustfmt::skip]
const DIGEST_DEFAULTS: &[Default] = &[
    d(super::digest::TEMPLATE, "en", "Your EVDMS digest: {{ count }} update(s)",
      "Hello {{ recipientName }},\n\nhere is what happened since your last digest:\n{% for item in items %}\n- {{ item.createdAt | datetime }} {{ item.subject }}: {{ item.summary }}{% endfor %}\n\nChoose what you receive and how at {{ appUrl }}/settings/notifications"),
    d(super::digest::TEMPLATE, "vi", "Bản tin EVDMS: {{ count }} cập nhật",
      "Xin chào {{ recipientName }},\n\nđây là những gì đã diễn ra kể từ bản tin trước:\n{% for item in items %}\n- {{ item.createdAt | datetime }} {{ item.subject }}: {{ item.summary }}{% endfor %}\n\nChọn thông báo bạn muốn nhận tại {{ appUrl }}/settings/notifications"),
];

/// Every template slot: each routed event on its channels, and the digest email.
pub fn slots() -> impl Iterator<Item = (&'static str, &'static [Channel])> {
    const DIGEST_CHANNELS: &[Channel] = &[Channel::Email];
    super::routing::ROUTED
        .iter()
        .map(|(event, _, channels)| (*event, *channels))
        .chain(std::iter::once((super::digest::TEMPLATE, DIGEST_CHANNELS)))
}

/// The HTML part of a default email: the body's paragraphs in a minimal layout. Variables are
/// HTML-escaped when the template renders.
fn html_of(body: &str) -> String {
    let paragraphs: String = body
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
        .collect();
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{paragraphs}<hr><p style=\"color:#888\">EVDMS</p></body></html>"
    )
}

/// The shipped template of `event` on `channel` in `locale`, if any.
pub fn default_template(event: &str, channel: Channel, locale: &str) -> Option<TemplateParts> {
    let entry = DEFAULTS
        .iter()
        .chain(DIGEST_DEFAULTS)
        .find(|d| d.event == event && d.locale == locale)?;
    Some(match channel {
        Channel::Email => TemplateParts {
            subject: entry.subject.to_owned(),
            text: entry.body.to_owned(),
            html: Some(html_of(entry.body)),
        },
        Channel::InApp => TemplateParts {
            subject: entry.subject.to_owned(),
            text: entry.body.to_owned(),
            html: None,
        },
        Channel::Sms => TemplateParts {
            subject: entry.subject.to_owned(),
            text: entry.sms?.to_owned(),
            html: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{rendering, samples::sample_payload};

    #[test]
    fn every_routed_channel_has_valid_defaults_in_every_locale() {
        for (event, channels) in slots() {
            for channel in channels {
                for locale in LOCALES {
                    let parts = default_template(event, *channel, locale)
                        .unwrap_or_else(|| panic!("no {locale} {channel} template for {event}"));
                    rendering::check(event, &parts)
                        .unwrap_or_else(|e| panic!("{event} {channel} {locale}: {e:?}"));
                    let sample = sample_payload(event).unwrap();
                    let context = crate::domain::sealed::with_placeholders(
                        event,
                        &rendering::context(&sample, "Sample Person", "https://app.example"),
                    );
                    let rendered = rendering::render(&parts, &context).unwrap();
                    assert!(!rendered.text.is_empty());
                }
            }
        }
    }
}
