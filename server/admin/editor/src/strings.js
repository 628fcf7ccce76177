// The editor's UI strings: Vietnamese, and English when the page is (`<html lang="en">`).
const VI = {
  body: "Nội dung (Markdown)",
  toolbar: "Định dạng nội dung",
  h2: "Tiêu đề 2",
  h3: "Tiêu đề 3",
  bold: "Đậm",
  italic: "Nghiêng",
  ul: "Danh sách",
  ol: "Danh sách số",
  link: "Liên kết",
  pageLink: "Liên kết trang",
  table: "Bảng",
  image: "Ảnh",
  column: "Cột",
  linkTitle: "Chèn liên kết",
  linkText: "Chữ hiển thị",
  linkUrl: "Địa chỉ (https://…)",
  linkUrlBad: "Nhập địa chỉ bắt đầu bằng https://, http://, mailto: hoặc tel:, hoặc một đường dẫn bắt đầu bằng /.",
  pageTitle: "Liên kết tới một trang của mạng",
  search: "Tìm trang",
  searchButton: "Tìm",
  searching: "Đang tìm…",
  found: (n) => `${n} trang tìm thấy. Chọn một trang để chèn liên kết.`,
  none: "Không tìm thấy trang nào.",
  searchFailed: "Không tìm được lúc này. Hãy thử lại.",
  imageTitle: "Chèn ảnh của trang",
  imageFile: "Ảnh",
  imageAlt: "Mô tả ảnh (bắt buộc)",
  imageAltHelp: "Mô tả điều ảnh cho thấy, cho người không xem được ảnh.",
  imageAltMissing: "Hãy nhập mô tả ảnh.",
  imageNone: "Trang chưa có ảnh. Hãy tải ảnh lên (JPEG, PNG) ở phần tệp của trang, rồi chèn.",
  imageFailed: "Không đọc được danh sách tệp của trang.",
  insert: "Chèn",
  cancel: "Hủy",
  required: "Trường này là bắt buộc.",
};

const EN = {
  body: "Text (Markdown)",
  toolbar: "Formatting",
  h2: "Heading 2",
  h3: "Heading 3",
  bold: "Bold",
  italic: "Italic",
  ul: "Bulleted list",
  ol: "Numbered list",
  link: "Link",
  pageLink: "Link to a page",
  table: "Table",
  image: "Image",
  column: "Column",
  linkTitle: "Insert a link",
  linkText: "Text shown",
  linkUrl: "Address (https://…)",
  linkUrlBad: "Enter an address starting with https://, http://, mailto: or tel:, or a path starting with /.",
  pageTitle: "Link to a page of the network",
  search: "Search pages",
  searchButton: "Search",
  searching: "Searching…",
  found: (n) => `${n} pages found. Choose one to insert a link to it.`,
  none: "No page found.",
  searchFailed: "Search failed just now. Try again.",
  imageTitle: "Insert an image of the page",
  imageFile: "Image",
  imageAlt: "Image description (required)",
  imageAltHelp: "Describe what the image shows, for people who cannot see it.",
  imageAltMissing: "Enter a description of the image.",
  imageNone: "The page has no image yet. Upload one (JPEG, PNG) in the page's files, then insert it.",
  imageFailed: "Could not read the page's files.",
  insert: "Insert",
  cancel: "Cancel",
  required: "This field is required.",
};

/** CodeMirror's own words (the search panel Ctrl+F opens, screen reader announcements) in
 * Vietnamese; in English it has them already. */
export const CM_PHRASES_VI = {
  Find: "Tìm",
  Replace: "Thay bằng",
  next: "tiếp",
  previous: "trước",
  all: "tất cả",
  "match case": "phân biệt hoa thường",
  regexp: "biểu thức chính quy",
  "by word": "cả từ",
  replace: "thay",
  "replace all": "thay tất cả",
  close: "đóng",
  "current match": "kết quả đang chọn",
  "replaced match on line $": "đã thay kết quả ở dòng $",
  "replaced $ matches": "đã thay $ kết quả",
  "on line": "ở dòng",
  "Go to line": "Đến dòng",
  go: "đi",
  "Control character": "Ký tự điều khiển",
  "Selection deleted": "Đã xóa phần chọn",
};

/** The strings for the page's language. */
export function strings(lang) {
  return isEnglish(lang) ? EN : VI;
}

/** Whether the page is in English (otherwise Vietnamese). */
export function isEnglish(lang) {
  return (lang || "").toLowerCase().startsWith("en");
}
