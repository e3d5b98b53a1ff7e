// Every sentence the person in front of the screen reads, in Thai (first) and English.
import type { ErrorCode, PayeeKind } from './platform';

export type Language = 'th' | 'en';

export const LANGUAGES: readonly Language[] = ['th', 'en'];

const words = {
  appName: { th: 'เติมดี', en: 'Termdee' },
  tagline: { th: 'รับชำระด้วยพร้อมเพย์', en: 'Get paid by PromptPay' },
  switchLanguage: { th: 'English', en: 'ภาษาไทย' },
  promptpayId: { th: 'พร้อมเพย์ของร้าน', en: "Shop's PromptPay ID" },
  promptpayIdHint: {
    th: 'เบอร์มือถือ เลขบัตรประชาชน/เลขผู้เสียภาษี หรือ e-Wallet',
    en: 'Mobile number, national/tax ID or e-wallet ID',
  },
  amount: { th: 'จำนวนเงิน (บาท)', en: 'Amount (baht)' },
  amountHint: { th: 'เว้นว่างให้ผู้จ่ายกรอกเอง', en: 'Leave empty to let the payer type it' },
  showQr: { th: 'สร้าง QR', en: 'Show QR' },
  newQr: { th: 'สร้าง QR ใหม่', en: 'New QR' },
  payTo: { th: 'ชำระให้', en: 'Pay to' },
  amountToPay: { th: 'ยอดชำระ', en: 'Amount' },
  payerTypesAmount: { th: 'ผู้จ่ายกรอกจำนวนเอง', en: 'Payer enters the amount' },
  baht: { th: 'บาท', en: 'THB' },
  timeLeft: { th: 'QR หมดอายุใน', en: 'QR expires in' },
  expired: { th: 'QR หมดอายุแล้ว', en: 'This QR has expired' },
  expiredHelp: {
    th: 'กรุณาสร้าง QR ใหม่ก่อนรับชำระ',
    en: 'Make a new QR before taking the payment',
  },
  scanWithBankApp: {
    th: 'สแกนด้วยแอปธนาคารใดก็ได้',
    en: 'Scan with any Thai banking app',
  },
  placeholder: {
    th: 'กรอกพร้อมเพย์และจำนวนเงิน แล้วกด “สร้าง QR”',
    en: 'Enter a PromptPay ID and an amount, then press “Show QR”',
  },
  working: { th: 'กำลังสร้าง…', en: 'Working…' },
} satisfies Record<string, Record<Language, string>>;

export type WordKey = keyof typeof words;

export function t(language: Language, key: WordKey): string {
  return words[key][language];
}

// A Record over ErrorCode: adding a code in Rust (and regenerating the bindings) without adding
// its sentences here fails the type check.
const errorSentences: Record<ErrorCode, Record<Language, string>> = {
  invalid_promptpay_id: {
    th: 'พร้อมเพย์ไม่ถูกต้อง: ใช้เบอร์มือถือ 10 หลัก เลขบัตร 13 หลัก หรือ e-Wallet 15 หลัก',
    en: 'Invalid PromptPay ID: use a 10-digit mobile number, a 13-digit ID or a 15-digit e-wallet ID',
  },
  invalid_amount: {
    th: 'จำนวนเงินไม่ถูกต้อง: ต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง',
    en: 'Invalid amount: it must be more than 0 with at most 2 decimals',
  },
  invalid_settings: {
    th: 'การตั้งค่าไม่ถูกต้อง กรุณาติดต่อเจ้าของร้าน',
    en: 'The settings are not valid; please ask the shop owner',
  },
  invalid_phone: {
    th: 'เบอร์โทรศัพท์ไม่ถูกต้อง: ใช้เบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06 08 หรือ 09',
    en: 'Invalid phone number: use a 10-digit mobile number starting with 06, 08 or 09',
  },
  amount_not_sold: {
    th: 'ยอดเงินนี้เติมให้เครือข่ายที่เลือกไม่ได้ กรุณาเลือกยอดอื่น',
    en: 'This amount cannot be topped up for the chosen network; please pick another amount',
  },
  unknown_operator: {
    th: 'ไม่พบผู้ขายนี้ หรือผู้ขายนี้ถูกปิดการขาย',
    en: 'This operator is unknown or not allowed to sell',
  },
  payment_method_unavailable: {
    th: 'วิธีชำระเงินนี้ยังไม่ได้ตั้งค่าในเครื่องนี้',
    en: 'This payment method is not set up on this machine',
  },
  invalid_request: {
    th: 'ทำรายการนี้ไม่ได้ในสถานะปัจจุบัน',
    en: 'This cannot be done in the sale\'s current state',
  },
  not_permitted: {
    th: 'เฉพาะเจ้าของร้านเท่านั้นที่ทำรายการนี้ได้',
    en: 'Only the shop owner can do this',
  },
  ledger_unavailable: {
    th: 'สมุดบัญชีของเครื่องมีปัญหา งดขายชั่วคราว กรุณาติดต่อเจ้าของร้าน',
    en: 'The ledger failed its check; selling is paused, please call the shop owner',
  },
  not_logged_in: {
    th: 'กรุณาเข้าสู่ระบบก่อน',
    en: 'Please log in first',
  },
  invalid_pin: {
    th: 'รหัส PIN ต้องเป็นตัวเลข 4 ถึง 8 หลัก',
    en: 'The PIN must be 4 to 8 digits',
  },
  wrong_pin: {
    th: 'รหัส PIN ไม่ถูกต้อง',
    en: 'Wrong PIN',
  },
  operator_locked: {
    th: 'ใส่ PIN ผิดหลายครั้ง บัญชีถูกล็อกชั่วคราว กรุณาให้เจ้าของร้านปลดล็อก',
    en: 'Too many wrong PINs: the account is locked for a while; ask the owner to unlock it',
  },
  setup_already_done: {
    th: 'ตั้งค่าเจ้าของร้านไปแล้ว',
    en: 'The owner account is already set up',
  },
  shift_not_open: {
    th: 'กรุณาเปิดกะก่อนขาย',
    en: 'Open a shift first',
  },
  shift_open: {
    th: 'เปลี่ยนการตั้งค่านี้ไม่ได้ระหว่างที่มีกะเปิดอยู่ กรุณาปิดกะก่อน',
    en: 'This cannot change while a shift is open; close the shift first',
  },
  invalid_day: {
    th: 'วันที่ไม่ถูกต้อง',
    en: 'Invalid date or date range',
  },
  provider_unavailable: {
    th: 'ติดต่อผู้ให้บริการไม่ได้ กรุณาลองใหม่',
    en: 'The provider could not be reached; please try again',
  },
  printer_unavailable: {
    th: 'เครื่องพิมพ์ไม่พร้อม ใบเสร็จจะรอพิมพ์ในคิว',
    en: 'The printer is not ready; the receipt waits in the queue',
  },
  hub_unavailable: {
    th: 'ติดต่อศูนย์กลางร้านไม่ได้',
    en: 'The fleet hub could not be reached',
  },
  demo_only: {
    th: 'ใช้ได้เฉพาะโหมดสาธิต',
    en: 'Only available in demo mode',
  },
  internal: {
    th: 'เกิดข้อผิดพลาดในระบบ กรุณาลองใหม่',
    en: 'Something went wrong; please try again',
  },
};

export function errorSentence(language: Language, code: ErrorCode): string {
  return errorSentences[code][language];
}

const payeeKinds: Record<PayeeKind, Record<Language, string>> = {
  mobile: { th: 'เบอร์มือถือ', en: 'Mobile number' },
  national_id: { th: 'เลขประจำตัวผู้เสียภาษี', en: 'National / tax ID' },
  e_wallet: { th: 'e-Wallet', en: 'E-wallet' },
  bill: { th: 'ชำระบิล', en: 'Bill payment' },
};

export function payeeKindName(language: Language, kind: PayeeKind): string {
  return payeeKinds[kind][language];
}
