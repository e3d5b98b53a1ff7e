// Every sentence the person in front of the screen reads, in Thai (first) and English.
//
// The tables over backend enums (ErrorCode, SaleState, PaymentMethod, ...) are `Record`s, so a
// value added in Rust and regenerated into bindings.ts without its sentences here fails the type
// check. Sentences with a value in them use `{name}` placeholders filled by `tf`.
import type {
  ErrorCode,
  Network,
  PaymentMethod,
  ProviderId,
  ReportDimension,
  Role,
  SaleAction,
  SaleState,
} from './platform';

export type Language = 'th' | 'en';

export const LANGUAGES: readonly Language[] = ['th', 'en'];

type Words = Record<Language, string>;

const words = {
  // The shell
  appName: { th: 'เติมดี', en: 'Termdee' },
  switchLanguage: { th: 'English', en: 'ภาษาไทย' },
  demoBanner: { th: 'โหมดสาธิต — ไม่มีการเติมเงินจริง', en: 'DEMO — no real top-ups' },
  problemsTitle: { th: 'งดขายชั่วคราว:', en: 'Selling is paused:' },
  details: { th: 'รายละเอียด', en: 'Details' },
  loading: { th: 'กำลังโหลด…', en: 'Loading…' },
  retry: { th: 'ลองใหม่', en: 'Try again' },
  register: { th: 'เครื่อง', en: 'Register' },
  logout: { th: 'ออกจากระบบ', en: 'Log out' },
  tabSell: { th: 'ขาย', en: 'Sell' },
  tabAttention: { th: 'รายการรอตรวจ', en: 'Needs attention' },
  tabDashboard: { th: 'ภาพรวมร้าน', en: 'Dashboard' },
  tabSettings: { th: 'ตั้งค่า', en: 'Settings' },
  closeShift: { th: 'ปิดกะ', en: 'Close shift' },
  cancel: { th: 'ยกเลิก', en: 'Cancel' },
  back: { th: 'ย้อนกลับ', en: 'Back' },
  confirm: { th: 'ยืนยัน', en: 'Confirm' },
  close: { th: 'ปิด', en: 'Close' },
  save: { th: 'บันทึก', en: 'Save' },
  saved: { th: 'บันทึกแล้ว', en: 'Saved' },
  working: { th: 'กำลังทำรายการ…', en: 'Working…' },
  none: { th: '—', en: '—' },

  // First start
  setupTitle: { th: 'เริ่มใช้งานเติมดี', en: 'Welcome to Termdee' },
  setupIntro: {
    th: 'สร้างบัญชีเจ้าของร้าน: ไม่มีรหัสเริ่มต้น ตั้ง PIN ของคุณเอง',
    en: 'Create the owner account: there is no default PIN, choose your own',
  },
  ownerName: { th: 'ชื่อเจ้าของร้าน', en: "Owner's name" },
  shopName: { th: 'ชื่อร้าน', en: 'Shop name' },
  pin: { th: 'PIN (ตัวเลข 4–8 หลัก)', en: 'PIN (4–8 digits)' },
  pinAgain: { th: 'ใส่ PIN อีกครั้ง', en: 'PIN again' },
  pinsDiffer: { th: 'PIN ทั้งสองช่องไม่ตรงกัน', en: 'The two PINs do not match' },
  nameRequired: { th: 'กรุณากรอกชื่อ', en: 'Please enter a name' },
  createOwner: { th: 'สร้างบัญชีและเริ่มใช้งาน', en: 'Create the account and start' },

  // Login
  loginTitle: { th: 'ใครกำลังใช้งาน?', en: "Who's working?" },
  enterPin: { th: 'ใส่ PIN ของ {name}', en: "Enter {name}'s PIN" },
  locked: { th: 'ถูกล็อก', en: 'Locked' },
  noOperators: { th: 'ยังไม่มีผู้ใช้งานที่เข้าสู่ระบบได้', en: 'Nobody can log in yet' },
  pinBackspace: { th: 'ลบตัวสุดท้าย', en: 'Delete last digit' },
  pinEnter: { th: 'ตกลง', en: 'OK' },

  // Shift
  openShiftTitle: { th: 'เปิดกะก่อนเริ่มขาย', en: 'Open a shift to start selling' },
  openingFloat: { th: 'เงินทอนตั้งต้นในลิ้นชัก (บาท)', en: 'Cash float in the drawer (baht)' },
  openShift: { th: 'เปิดกะ', en: 'Open shift' },
  closeShiftTitle: { th: 'ปิดกะ: นับเงินในลิ้นชัก', en: 'Close shift: count the drawer' },
  closeShiftIntro: {
    th: 'นับเงินสดทั้งหมดในลิ้นชักแล้วกรอกยอดที่นับได้ ระบบจะแสดงยอดที่ควรมีหลังจากบันทึก',
    en: 'Count all the cash in the drawer and enter what you counted; the expected figure is shown after',
  },
  countedCash: { th: 'เงินสดที่นับได้ (บาท)', en: 'Cash counted (baht)' },
  closeShiftSubmit: { th: 'บันทึกยอดนับและปิดกะ', en: 'Record the count and close' },
  shiftClosedTitle: { th: 'ปิดกะเรียบร้อย', en: 'Shift closed' },
  shiftOpenedAt: { th: 'เปิดกะเมื่อ', en: 'Opened' },
  shiftSales: { th: 'ขายแล้ว {count} รายการ', en: '{count} sales so far' },
  floatLine: { th: 'เงินทอนตั้งต้น', en: 'Opening float' },
  cashSales: { th: 'รับเงินสดจากการขาย', en: 'Cash sales' },
  cashRefunds: { th: 'คืนเงินสด', en: 'Cash refunds' },
  expected: { th: 'ยอดที่ควรมี', en: 'Expected' },
  counted: { th: 'ยอดที่นับได้', en: 'Counted' },
  variance: { th: 'ส่วนต่าง', en: 'Variance' },
  varianceShort: { th: 'เงินขาด', en: 'Cash short' },
  varianceOver: { th: 'เงินเกิน', en: 'Cash over' },
  varianceExact: { th: 'ตรงพอดี', en: 'Exact' },
  done: { th: 'เสร็จสิ้น', en: 'Done' },
  invalidSeconds: { th: 'กรอกเป็นจำนวนวินาที (ตัวเลขเท่านั้น)', en: 'Enter a number of seconds (digits only)' },
  invalidMoney: { th: 'กรอกจำนวนเงินเป็นบาท เช่น 1000 หรือ 1000.50', en: 'Enter an amount in baht, e.g. 1000 or 1000.50' },

  // Counter
  network: { th: 'เครือข่าย', en: 'Network' },
  phone: { th: 'เบอร์โทรศัพท์', en: 'Phone number' },
  amount: { th: 'จำนวนเงิน (บาท)', en: 'Amount (baht)' },
  amountRange: { th: 'ขั้นต่ำ ฿{min} สูงสุด ฿{max}', en: 'Min ฿{min}, max ฿{max}' },
  amountOutOfRange: { th: 'จำนวนเงินต้องอยู่ระหว่าง ฿{min} ถึง ฿{max}', en: 'The amount must be between ฿{min} and ฿{max}' },
  method: { th: 'ชำระโดย', en: 'Payment' },
  sell: { th: 'ขาย (Enter)', en: 'Sell (Enter)' },
  pickNetwork: { th: 'เลือกเครือข่ายก่อน (กด 1–6)', en: 'Pick a network first (keys 1–6)' },
  pickMethod: { th: 'เลือกวิธีชำระเงิน', en: 'Pick a payment method' },
  networkUnavailable: { th: 'ปิดชั่วคราว', en: 'Unavailable' },
  recentTitle: { th: 'เบอร์ล่าสุด', en: 'Recent numbers' },
  recentEmpty: { th: 'ยังไม่มีรายการขาย', en: 'No sales yet' },
  repeat: { th: 'ขายซ้ำ', en: 'Repeat' },
  repeatLast: { th: 'ขายซ้ำรายการล่าสุด (R)', en: 'Repeat last sale (R)' },
  receipt: { th: 'ใบเสร็จ', en: 'Receipt' },
  newSale: { th: 'รายการใหม่ (Esc)', en: 'New sale (Esc)' },
  keyboardHint: {
    th: 'แป้นพิมพ์: 1–6 เครือข่าย · พิมพ์เบอร์ · Enter ไปช่องถัดไป/ขาย · Esc ล้าง',
    en: 'Keyboard: 1–6 network · type the number · Enter next/sell · Esc clear',
  },
  receivedCash: { th: 'รับเงินสด ฿{amount} แล้ว', en: 'Received ฿{amount} cash' },
  transferSeen: { th: 'เห็นยอดโอน ฿{amount} เข้าแล้ว', en: 'Transfer of ฿{amount} seen' },
  collectCash: { th: 'รับเงินสดจากลูกค้า', en: 'Collect the cash' },
  checkTransfer: {
    th: 'ให้ลูกค้าสแกนจ่ายเข้าพร้อมเพย์ร้าน แล้วตรวจยอดเงินเข้าในแอปธนาคารของร้าน',
    en: "Let the customer scan and pay to the shop's PromptPay, then check the shop's banking app",
  },
  cancelSale: { th: 'ยกเลิกรายการ', en: 'Cancel sale' },
  demoPay: { th: 'ทำเป็นลูกค้าจ่ายเงิน (สาธิต)', en: 'Act as the paying customer (demo)' },
  qrExpiresIn: { th: 'QR หมดอายุใน', en: 'QR expires in' },
  qrExpired: { th: 'QR หมดอายุแล้ว', en: 'The QR has expired' },
  localQrExpired: {
    th: 'QR หมดเวลาแล้ว: ถ้าเงินเข้าแล้วให้กดยืนยัน ถ้าไม่เข้าให้ยกเลิก',
    en: 'Time is up: confirm if the transfer arrived, otherwise cancel',
  },
  scanWithBankApp: { th: 'สแกนด้วยแอปธนาคารใดก็ได้', en: 'Scan with any Thai banking app' },
  payLink: { th: 'ลิงก์ชำระเงิน', en: 'Payment link' },
  stepPaying: { th: 'รอชำระเงิน', en: 'Paying' },
  stepToppingUp: { th: 'กำลังเติมเงิน', en: 'Topping up' },
  stepDone: { th: 'สำเร็จ', en: 'Done' },
  stepFailed: { th: 'ไม่สำเร็จ', en: 'Failed' },
  stepRefund: { th: 'ต้องคืนเงิน', en: 'Refund due' },
  saleId: { th: 'รหัสรายการ', en: 'Sale id' },
  print: { th: 'พิมพ์ใบเสร็จ', en: 'Print receipt' },
  reprint: { th: 'พิมพ์อีกครั้ง', en: 'Print again' },
  printQueued: { th: 'ส่งไปพิมพ์แล้ว (งาน #{id}: {state})', en: 'Sent to the printer (job #{id}: {state})' },
  receiptTitle: { th: 'ใบเสร็จ', en: 'Receipt' },
  seeAttention: { th: 'ไปที่รายการรอตรวจ', en: 'Go to the attention list' },

  // Attention
  attentionTitle: { th: 'รายการที่ต้องมีคนดูแล', en: 'Sales that need a person' },
  attentionEmpty: { th: 'ไม่มีรายการค้าง', en: 'Nothing waiting' },
  note: { th: 'บันทึก (จำเป็น): ตรวจอะไร ทำอะไร', en: 'Note (required): what you checked or did' },
  noteRequired: { th: 'กรุณากรอกบันทึกก่อน', en: 'Please write a note first' },
  confirmMoneyTitle: { th: 'ยืนยันรายการ', en: 'Please confirm' },
  confirmRefund: {
    th: 'คืนเงินสด ฿{amount} ให้ลูกค้าเบอร์ {phone} แล้วใช่ไหม?',
    en: 'Did you hand back ฿{amount} in cash to the customer of {phone}?',
  },
  confirmDelivered: {
    th: 'ตรวจกับผู้ให้บริการแล้วว่าเครดิต ฿{amount} เข้าเบอร์ {phone} แล้วใช่ไหม?',
    en: 'Checked with the provider that ฿{amount} of credit reached {phone}?',
  },
  confirmNotDelivered: {
    th: 'ตรวจแล้วว่าเครดิตไม่เข้าเบอร์ {phone}? รายการจะเปลี่ยนเป็นต้องคืนเงิน ฿{amount}',
    en: 'Checked that the credit did not reach {phone}? The sale becomes a refund of ฿{amount}',
  },
  confirmCancelSale: { th: 'ยกเลิกรายการนี้? ลูกค้ายังไม่ได้จ่ายเงิน', en: 'Cancel this sale? The customer has not paid' },
  confirmPaymentQuestion: { th: 'ได้รับเงิน ฿{amount} แล้วใช่ไหม?', en: 'Did you receive ฿{amount}?' },
  soldBy: { th: 'ขายโดย', en: 'Sold by' },

  // Kiosk
  kioskTouch: { th: 'แตะเพื่อเติมเงิน', en: 'Touch to top up' },
  kioskWelcome: { th: 'เติมเงินมือถือ จ่ายด้วย QR พร้อมเพย์', en: 'Mobile top-up, pay by PromptPay QR' },
  kioskPickNetwork: { th: 'เลือกเครือข่าย', en: 'Choose your network' },
  kioskEnterNumber: { th: 'กรอกเบอร์โทรศัพท์', en: 'Enter your phone number' },
  kioskEnterAgain: { th: 'กรอกเบอร์อีกครั้งเพื่อยืนยัน', en: 'Enter the number again to confirm' },
  kioskMismatch: { th: 'เบอร์ไม่ตรงกัน กรุณากรอกใหม่', en: 'The numbers do not match; please start again' },
  kioskBadNumber: { th: 'เบอร์ต้องมี 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09', en: 'The number must have 10 digits starting with 06, 08 or 09' },
  kioskNext: { th: 'ถัดไป', en: 'Next' },
  kioskPickAmount: { th: 'เลือกจำนวนเงิน', en: 'Choose the amount' },
  kioskPay: { th: 'สแกนเพื่อจ่ายเงิน', en: 'Scan to pay' },
  kioskTopupFor: { th: 'เติม {network} เบอร์ {phone}', en: 'Top up {network} {phone}' },
  kioskToPay: { th: 'ยอดที่ต้องจ่าย', en: 'Amount to pay' },
  kioskPreparing: { th: 'กำลังสร้าง QR…', en: 'Preparing the QR…' },
  kioskToppingUp: { th: 'ได้รับเงินแล้ว กำลังเติมเงิน…', en: 'Payment received, topping up…' },
  kioskSuccess: { th: 'เติมเงินสำเร็จ', en: 'Top-up successful' },
  kioskSuccessDetail: { th: 'เติม ฿{amount} เข้าเบอร์ {phone} แล้ว ขอบคุณค่ะ', en: '฿{amount} added to {phone}. Thank you!' },
  kioskRefund: { th: 'เติมเงินไม่สำเร็จ', en: 'The top-up did not go through' },
  kioskRefundDetail: {
    th: 'ติดต่อพนักงานเพื่อรับเงินคืน แจ้งรหัสรายการ {id}',
    en: 'Please see staff for your refund, sale id {id}',
  },
  kioskHeld: { th: 'กำลังตรวจสอบรายการ', en: 'We are checking your top-up' },
  kioskHeldDetail: {
    th: 'เงินของคุณไม่หาย กรุณาติดต่อพนักงาน แจ้งรหัสรายการ {id}',
    en: 'Your money is safe; please see staff with sale id {id}',
  },
  kioskExpired: { th: 'QR หมดอายุ ไม่มีการตัดเงิน', en: 'The QR expired: no money was taken' },
  kioskCancelled: { th: 'ยกเลิกแล้ว ไม่มีการตัดเงิน', en: 'Cancelled: no money was taken' },
  kioskBackSoon: { th: 'กลับสู่หน้าแรกใน {seconds} วินาที', en: 'Back to the start in {seconds} s' },
  kioskFinish: { th: 'เสร็จสิ้น', en: 'Finish' },
  kioskOutOfService: { th: 'ขออภัย เครื่องปิดให้บริการชั่วคราว', en: 'Sorry, this kiosk is out of service' },
  kioskNoQr: { th: 'ขออภัย ยังไม่มีช่องทางชำระเงินด้วย QR', en: 'Sorry, QR payment is not available' },
  kioskLeaveTitle: { th: 'ออกจากโหมดตู้: PIN เจ้าของร้าน', en: 'Leave kiosk mode: owner PIN' },
  kioskClear: { th: 'ลบ', en: 'Clear' },

  // Settings
  settingsTitle: { th: 'ตั้งค่าร้าน', en: 'Shop settings' },
  settingsShop: { th: 'ร้านและเครื่องนี้', en: 'The shop and this machine' },
  promptpayId: { th: 'พร้อมเพย์ของร้าน (สำหรับ QR ร้าน)', en: "Shop's PromptPay ID (for the shop's own QR)" },
  registerId: { th: 'รหัสเครื่อง', en: 'Register id' },
  registerName: { th: 'ชื่อเครื่อง (ส่งเป็น users ของ Easysoft)', en: 'Register name (sent as Easysoft users)' },
  language: { th: 'ภาษาหน้าจอเริ่มต้น', en: 'Default screen language' },
  qrCountdown: { th: 'เวลาชำระ QR (วินาที)', en: 'QR payment time (seconds)' },
  kioskIdle: { th: 'ตู้กลับหน้าแรกเมื่อไม่มีการแตะ (วินาที)', en: 'Kiosk idle timeout (seconds)' },
  settingsConnections: { th: 'การรับผลจากผู้ให้บริการ', en: 'Provider callbacks' },
  callbackListen: { th: 'ที่อยู่รับ callback (เว้นว่าง = ถามผลเอง)', en: 'Callback listener address (empty: poll instead)' },
  publicUrl: { th: 'URL สาธารณะสำหรับ callback', en: 'Public callback URL' },
  lowBalanceAlert: { th: 'แจ้งเตือนเมื่อยอดเงินต่ำกว่า (บาท)', en: 'Low-balance alert below (baht)' },
  settingsRouting: { th: 'ลำดับผู้ให้บริการเติมเงินต่อเครือข่าย', en: 'Top-up providers per network, in order' },
  moveUp: { th: 'เลื่อนขึ้น', en: 'Move up' },
  moveDown: { th: 'เลื่อนลง', en: 'Move down' },
  remove: { th: 'เอาออก', en: 'Remove' },
  routeEmpty: { th: 'ไม่ขายเครือข่ายนี้', en: 'Not sold' },
  settingsProviders: { th: 'ผู้ให้บริการและรหัสผ่าน', en: 'Providers and credentials' },
  secretStoreKeyring: { th: 'รหัสลับเก็บใน keyring ของระบบ', en: 'Secrets are kept in the OS keyring' },
  secretStoreFile: { th: 'รหัสลับเก็บในไฟล์เข้ารหัส', en: 'Secrets are kept in an encrypted file' },
  enabled: { th: 'ใช้งาน', en: 'Enabled' },
  change: { th: 'เปลี่ยน', en: 'Change' },
  keep: { th: 'ใช้ค่าเดิม', en: 'Keep the stored one' },
  notSet: { th: 'ยังไม่ได้ตั้ง', en: 'Not set' },
  required: { th: 'จำเป็น', en: 'required' },
  testConnection: { th: 'ทดสอบการเชื่อมต่อ', en: 'Test connection' },
  testConnectionHint: { th: 'ทดสอบด้วยค่าที่บันทึกไว้', en: 'Tests the saved settings' },
  connectionOk: { th: 'เชื่อมต่อได้', en: 'Connected' },
  connectionBalance: { th: 'ยอดเงินคงเหลือ ฿{balance}', en: 'Balance ฿{balance}' },
  settingsPrinter: { th: 'เครื่องพิมพ์ใบเสร็จ', en: 'Receipt printer' },
  printer: { th: 'เครื่องพิมพ์ (tcp://ip:9100 หรือ /dev/usb/lp0; เว้นว่าง = ไม่มี)', en: 'Printer (tcp://ip:9100 or /dev/usb/lp0; empty: none)' },
  paperWidth: { th: 'ความกว้างกระดาษ', en: 'Paper width' },
  paper58: { th: '58 มม. (384 จุด)', en: '58 mm (384 dots)' },
  paper80: { th: '80 มม. (576 จุด)', en: '80 mm (576 dots)' },
  settingsHub: { th: 'ศูนย์กลางหลายสาขา', en: 'Fleet hub' },
  hubUrl: { th: 'URL ศูนย์กลาง', en: 'Hub URL' },
  hubToken: { th: 'โทเคนศูนย์กลาง', en: 'Hub token' },
  hubOwnerToken: { th: 'โทเคนเจ้าของร้าน (ดูทุกเครื่อง)', en: 'Owner token (fleet view)' },
  hubOwnerTokenHelp: {
    th: 'ออกด้วยคำสั่ง termdee hub owner-token บนเครื่องศูนย์กลาง; ใช้ดูยอดของทุกเครื่อง ไม่ต้องใส่ที่ตู้คีออสก์',
    en: 'Issued with termdee hub owner-token on the hub; it reads every register, so never give it to a kiosk',
  },
  tokenSet: { th: 'ตั้งไว้แล้ว', en: 'Stored' },

  // Dashboard
  dashReport: { th: 'รายงาน', en: 'Report' },
  dashBalances: { th: 'ยอดเงินผู้ให้บริการ', en: 'Provider balances' },
  dashReconcile: { th: 'กระทบยอด', en: 'Reconciliation' },
  dashOperators: { th: 'ผู้ใช้งาน', en: 'Operators' },
  dashPrinter: { th: 'คิวพิมพ์', en: 'Print queue' },
  dashKiosk: { th: 'โหมดตู้', en: 'Kiosk mode' },
  dashFleet: { th: 'ทุกเครื่อง', en: 'Fleet' },
  fleetRegisters: { th: 'เครื่องขายทั้งหมด', en: 'Every register' },
  fleetReport: { th: 'ยอดขายรวมทุกเครื่อง', en: 'Sales across every register' },
  fleetAsOf: { th: 'ข้อมูลจากศูนย์กลาง ณ {time}', en: 'From the hub at {time}' },
  fleetEmpty: { th: 'ยังไม่มีเครื่องลงทะเบียนกับศูนย์กลาง', en: 'No register is enrolled at the hub yet' },
  fleetSetUpHelp: {
    th: 'ในหน้าตั้งค่า ใส่ URL ศูนย์กลาง และโทเคนเจ้าของร้านที่ได้จากคำสั่ง termdee hub owner-token',
    en: 'In Settings, enter the hub URL and the owner token from termdee hub owner-token',
  },
  colRegister: { th: 'เครื่อง', en: 'Register' },
  colLastSeen: { th: 'ติดต่อล่าสุด', en: 'Last seen' },
  colBacklog: { th: 'รอส่งข้อมูล', en: 'Not yet synced' },
  colCallbacks: { th: 'แจ้งผลรอรับ', en: 'Callbacks waiting' },
  colBalances: { th: 'ยอดเงินผู้ให้บริการ', en: 'Provider balances' },
  never: { th: 'ยังไม่เคย', en: 'Never' },
  silent: { th: 'ขาดการติดต่อ', en: 'Not heard from' },
  callbacksRefused: { th: 'ปฏิเสธ {count}', en: '{count} refused' },
  balanceUnknown: { th: 'อ่านไม่ได้', en: 'unknown' },
  lowShort: { th: 'ยอดต่ำ', en: 'low' },
  from: { th: 'ตั้งแต่', en: 'From' },
  to: { th: 'ถึง', en: 'To' },
  presetToday: { th: 'วันนี้', en: 'Today' },
  presetYesterday: { th: 'เมื่อวาน', en: 'Yesterday' },
  preset7: { th: '7 วัน', en: '7 days' },
  presetMonth: { th: 'เดือนนี้', en: 'This month' },
  show: { th: 'แสดง', en: 'Show' },
  exportCsv: { th: 'บันทึกเป็น CSV', en: 'Save as CSV' },
  csvSaved: { th: 'บันทึกไฟล์แล้ว: {path}', en: 'Saved: {path}' },
  total: { th: 'รวม', en: 'Total' },
  colSales: { th: 'รายการ', en: 'Sales' },
  colCompleted: { th: 'เติมสำเร็จ', en: 'Topped up' },
  colRefunded: { th: 'คืนเงินแล้ว', en: 'Refunded' },
  colRefundDue: { th: 'ค้างคืนเงิน', en: 'Refund due' },
  colUnresolved: { th: 'รอตรวจ', en: 'Unresolved' },
  colInProgress: { th: 'กำลังทำ', en: 'In progress' },
  colUnpaid: { th: 'ไม่ได้จ่าย', en: 'Unpaid' },
  colCost: { th: 'ต้นทุน', en: 'Cost' },
  colMargin: { th: 'กำไร', en: 'Margin' },
  colReceived: { th: 'รับเงิน', en: 'Received' },
  chartTitle: { th: 'ยอดเติมสำเร็จรายวัน (บาท)', en: 'Topped up per day (baht)' },
  reportEmpty: { th: 'ไม่มีรายการในช่วงนี้', en: 'No sales in this range' },
  lowBalance: { th: 'ยอดเงินต่ำ: เติมเงินเข้าบัญชีผู้ให้บริการ', en: 'Low balance: top up your provider wallet' },
  networkStatus: { th: 'สถานะเครือข่าย', en: 'Network status' },
  online: { th: 'เปิด', en: 'Open' },
  offline: { th: 'ปิด', en: 'Closed' },
  refresh: { th: 'รีเฟรช', en: 'Refresh' },
  day: { th: 'วันที่', en: 'Day' },
  reconcileRun: { th: 'กระทบยอด', en: 'Reconcile' },
  reconcileChecked: { th: 'ตรวจ {checked} รายการ ตรงกัน {matching} รายการ ยอดเติม ฿{delivered}', en: '{checked} checked, {matching} matching, ฿{delivered} delivered' },
  reconcileAllMatch: { th: 'ตรงกันทุกรายการ', en: 'Everything matches' },
  reconcileDifferences: { th: 'พบ {count} รายการไม่ตรงกัน', en: '{count} differences' },
  colReference: { th: 'รหัสอ้างอิง', en: 'Reference' },
  colOurs: { th: 'ของเรา', en: 'Ours' },
  colTheirs: { th: 'ผู้ให้บริการ', en: 'Theirs' },
  amountDiffers: { th: 'ยอดเงินไม่ตรง', en: 'Amount differs' },
  stateDiffers: { th: 'สถานะไม่ตรง', en: 'State differs' },
  operatorAdd: { th: 'เพิ่มผู้ใช้งาน', en: 'Add an operator' },
  operatorEdit: { th: 'แก้ไข', en: 'Edit' },
  operatorId: { th: 'รหัสผู้ใช้ (a-z 0-9 - _)', en: 'Id (a-z 0-9 - _)' },
  operatorName: { th: 'ชื่อ', en: 'Name' },
  role: { th: 'บทบาท', en: 'Role' },
  newPin: { th: 'PIN ใหม่ (เว้นว่าง = ใช้ PIN เดิม)', en: 'New PIN (empty: keep the current one)' },
  active: { th: 'เปิดใช้งาน', en: 'Active' },
  inactive: { th: 'ปิดใช้งาน', en: 'Inactive' },
  unlock: { th: 'ปลดล็อก', en: 'Unlock' },
  printTestPage: { th: 'พิมพ์หน้าทดสอบ', en: 'Print a test page' },
  printQueueEmpty: { th: 'ไม่มีงานพิมพ์', en: 'No print jobs' },
  testPage: { th: 'หน้าทดสอบ', en: 'Test page' },
  attempts: { th: 'ครั้งที่ลอง', en: 'Attempts' },
  lastError: { th: 'ข้อผิดพลาดล่าสุด', en: 'Last error' },
  enterKiosk: { th: 'เปลี่ยนเครื่องนี้เป็นตู้เติมเงิน', en: 'Turn this machine into a kiosk' },
  enterKioskHelp: {
    th: 'หน้าจอจะเต็มจอสำหรับลูกค้า การออกจากโหมดตู้ต้องใช้ PIN เจ้าของร้าน (กดโลโก้ค้างไว้ 3 วินาที)',
    en: 'The screen goes full screen for customers; leaving needs the owner PIN (hold the logo for 3 seconds)',
  },
  enterKioskConfirm: { th: 'เปลี่ยนเป็นโหมดตู้ตอนนี้?', en: 'Switch to kiosk mode now?' },
} satisfies Record<string, Words>;

export type WordKey = keyof typeof words;

export function t(language: Language, key: WordKey): string {
  return words[key][language];
}

/** A sentence with `{name}` placeholders filled in. */
export function tf(language: Language, key: WordKey, values: Record<string, string | number>): string {
  return words[key][language].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

// A Record over ErrorCode: adding a code in Rust (and regenerating the bindings) without adding
// its sentences here fails the type check.
const errorSentences: Record<ErrorCode, Words> = {
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
    th: 'ไม่พบผู้ใช้งานนี้ หรือผู้ใช้งานนี้ถูกปิดการใช้งาน',
    en: 'This operator is unknown or not allowed to sell',
  },
  payment_method_unavailable: {
    th: 'วิธีชำระเงินนี้ยังไม่ได้ตั้งค่าในเครื่องนี้',
    en: 'This payment method is not set up on this machine',
  },
  invalid_request: {
    th: 'ทำรายการนี้ไม่ได้ในสถานะปัจจุบัน',
    en: "This cannot be done in the sale's current state",
  },
  not_permitted: {
    th: 'คุณไม่มีสิทธิ์ทำรายการนี้ (เฉพาะเจ้าของร้าน)',
    en: 'You may not do this (owner only)',
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
  fleet_not_set_up: {
    th: 'ยังไม่ได้เชื่อมต่อศูนย์กลางร้าน: ใส่ที่อยู่ศูนย์กลางและรหัสเจ้าของร้านในหน้าตั้งค่า',
    en: 'No fleet hub yet: set the hub address and the owner token in Settings',
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

/** Where a sale stands, as a short label for a chip. */
const saleStates: Record<SaleState, Words> = {
  awaiting_payment: { th: 'รอชำระเงิน', en: 'Awaiting payment' },
  payment_expired: { th: 'QR หมดอายุ', en: 'QR expired' },
  payment_cancelled: { th: 'ยกเลิก', en: 'Cancelled' },
  paid: { th: 'ชำระแล้ว', en: 'Paid' },
  topup_pending: { th: 'กำลังเติมเงิน', en: 'Topping up' },
  needs_attention: { th: 'รอตรวจสอบ', en: 'Needs attention' },
  completed: { th: 'เติมสำเร็จ', en: 'Topped up' },
  refund_due: { th: 'ต้องคืนเงิน', en: 'Refund due' },
  refunded: { th: 'คืนเงินแล้ว', en: 'Refunded' },
};

export function saleStateName(language: Language, state: SaleState): string {
  return saleStates[state][language];
}

/** What the person must do about a sale in this state, with `{amount}` and `{phone}`. */
const saleStateSentences: Record<SaleState, Words> = {
  awaiting_payment: { th: 'รอลูกค้าชำระเงิน ฿{amount}', en: 'Waiting for the customer to pay ฿{amount}' },
  payment_expired: { th: 'QR หมดอายุ ไม่มีการตัดเงิน', en: 'The QR expired; no money was taken' },
  payment_cancelled: { th: 'ยกเลิกแล้ว ไม่มีการตัดเงิน', en: 'Cancelled; no money was taken' },
  paid: { th: 'ได้รับเงินแล้ว กำลังส่งเติมเงิน', en: 'Paid; sending the top-up' },
  topup_pending: { th: 'กำลังเติมเงินเข้าเบอร์ {phone}', en: 'Topping up {phone}' },
  needs_attention: {
    th: 'ไม่ทราบผลการเติม: ตรวจกับผู้ให้บริการว่าเครดิตเข้าเบอร์ {phone} หรือไม่',
    en: 'Outcome unknown: check with the provider whether the credit reached {phone}',
  },
  completed: { th: 'เติม ฿{amount} เข้าเบอร์ {phone} สำเร็จ', en: '฿{amount} topped up to {phone}' },
  refund_due: {
    th: 'เติมไม่สำเร็จ: คืนเงินสด ฿{amount} ให้ลูกค้า',
    en: 'The top-up failed: hand back ฿{amount} in cash',
  },
  refunded: { th: 'คืนเงิน ฿{amount} แล้ว', en: '฿{amount} refunded' },
};

export function saleStateSentence(
  language: Language,
  state: SaleState,
  values: { amount: string; phone: string },
): string {
  return saleStateSentences[state][language].replace('{amount}', values.amount).replace('{phone}', values.phone);
}

const methods: Record<PaymentMethod, Words> = {
  cash: { th: 'เงินสด', en: 'Cash' },
  prompt_pay_local: { th: 'พร้อมเพย์ร้าน', en: 'Shop PromptPay' },
  tmweasy: { th: 'QR แม่มณี', en: 'QR Mae Manee' },
  deposit_qr: { th: 'QR Deposit', en: 'Deposit QR' },
  blue_pay: { th: 'QR BluePay', en: 'BluePay QR' },
};

export function methodName(language: Language, method: PaymentMethod): string {
  return methods[method][language];
}

const actions: Record<SaleAction, Words> = {
  confirm_payment: { th: 'ได้รับเงินแล้ว', en: 'Payment received' },
  cancel: { th: 'ยกเลิกรายการ', en: 'Cancel sale' },
  check_again: { th: 'ตรวจสอบอีกครั้ง', en: 'Check again' },
  mark_refunded: { th: 'คืนเงินสดแล้ว', en: 'Refunded in cash' },
  mark_delivered: { th: 'ตรวจแล้ว เครดิตเข้าแล้ว', en: 'Checked: credit arrived' },
  mark_not_delivered: { th: 'ตรวจแล้ว เครดิตไม่เข้า', en: 'Checked: credit did not arrive' },
};

export function actionName(language: Language, action: SaleAction): string {
  return actions[action][language];
}

const roles: Record<Role, Words> = {
  owner: { th: 'เจ้าของร้าน', en: 'Owner' },
  cashier: { th: 'พนักงานขาย', en: 'Cashier' },
  kiosk: { th: 'ตู้เติมเงิน', en: 'Kiosk' },
};

export function roleName(language: Language, role: Role): string {
  return roles[role][language];
}

const dimensions: Record<ReportDimension, Words> = {
  operator: { th: 'ผู้ขาย', en: 'Operator' },
  network: { th: 'เครือข่าย', en: 'Network' },
  provider: { th: 'ผู้ให้บริการ', en: 'Provider' },
  method: { th: 'วิธีชำระ', en: 'Payment method' },
  register: { th: 'เครื่อง', en: 'Register' },
};

export function dimensionName(language: Language, dimension: ReportDimension): string {
  return dimensions[dimension][language];
}

/** Network names are brand names, the same in both languages. */
const networks: Record<Network, string> = {
  ais: 'AIS',
  dtac: 'dtac',
  true_move: 'TrueMove H',
  my: 'my by NT',
  penguin: 'Penguin',
  feels: 'Feels',
};

export function networkName(network: Network): string {
  return networks[network];
}

/** Provider names are brand names too. */
const providers: Record<ProviderId, string> = {
  wepay: 'wePAY',
  easysoft: 'Easysoft',
  tmweasy: 'Tmweasy (แม่มณี)',
  deposit_qr: 'Deposit-QR',
  bluepay: 'BluePay WebPay',
};

export function providerName(provider: string): string {
  return provider in providers ? providers[provider as ProviderId] : provider;
}

/** Labels for the provider settings fields the backend is known to send; any other key is shown
 *  as itself (it is a technical name the provider's documentation uses). */
const providerFields: Record<string, Words> = {
  base_url: { th: 'URL ของผู้ให้บริการ', en: 'Provider URL' },
  endpoint: { th: 'URL ของผู้ให้บริการ', en: 'Provider URL' },
  api_url: { th: 'URL ของผู้ให้บริการ', en: 'Provider URL' },
  username: { th: 'ชื่อผู้ใช้', en: 'Username' },
  password: { th: 'รหัสผ่าน', en: 'Password' },
  callback_url: { th: 'URL callback', en: 'Callback URL' },
  users: { th: 'users (ชื่อเครื่อง)', en: 'users (register name)' },
  api_key: { th: 'API key', en: 'API key' },
  bearer_token: { th: 'Bearer token', en: 'Bearer token' },
  app_id: { th: 'App ID', en: 'App ID' },
  merchant_private_key_pem: { th: 'กุญแจส่วนตัวร้าน (PEM)', en: 'Merchant private key (PEM)' },
  platform_public_key_pem: { th: 'กุญแจสาธารณะ BluePay (PEM)', en: 'BluePay public key (PEM)' },
  promptpay_id: { th: 'พร้อมเพย์รับเงิน', en: 'PromptPay ID to pay into' },
  con_id: { th: 'con_id', en: 'con_id' },
};

export function providerFieldName(language: Language, key: string): string {
  return providerFields[key]?.[language] ?? key;
}

/** A print job's state (`queued`, `printing`, `printed`, `failed`); an unknown one as itself. */
const printStates: Record<string, Words> = {
  queued: { th: 'รอพิมพ์', en: 'Queued' },
  printing: { th: 'กำลังพิมพ์', en: 'Printing' },
  printed: { th: 'พิมพ์แล้ว', en: 'Printed' },
  failed: { th: 'พิมพ์ไม่สำเร็จ', en: 'Failed' },
};

export function printStateName(language: Language, state: string): string {
  return printStates[state]?.[language] ?? state;
}
