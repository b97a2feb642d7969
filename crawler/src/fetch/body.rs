//! A page's body: read within the size cap while it streams (counting bytes as decompressed, so
//! a gzip bomb fails as too large), a gzip file undone, the text decoded from its charset, and
//! its fingerprint.

use reqwest::header::{HeaderMap, CONTENT_LENGTH};
use url::Url;

use super::error::{transport_error, FetchError};

pub(super) fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// The body, at most `limit` bytes. reqwest undoes the `Content-Encoding` as the body streams,
/// so the bytes counted are the decompressed ones.
pub(super) async fn read_capped(
    url: &Url,
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::TooLarge {
        url: url.clone(),
        limit,
    };
    // Only an uncompressed answer keeps its Content-Length.
    let declared = header_str(response.headers(), CONTENT_LENGTH.as_str())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(64 * 1024));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(url, &e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decompresses a body that is a gzip file itself (`sitemap.xml.gz`, recognised by gzip's magic
/// bytes), not a gzip transfer encoding, within the size cap.
pub(super) fn gunzip_file(url: &Url, bytes: Vec<u8>, limit: usize) -> Result<Vec<u8>, FetchError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    match gunzip(&bytes, limit) {
        Ok(Some(body)) => Ok(body),
        Ok(None) => Err(FetchError::TooLarge {
            url: url.clone(),
            limit,
        }),
        Err(reason) => Err(FetchError::Transient {
            url: url.clone(),
            reason,
        }),
    }
}

/// `bytes` gunzipped, if that is at most `limit` bytes.
fn gunzip(bytes: &[u8], limit: usize) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("a gzip file that does not decompress: {e}"))?;
    Ok((out.len() <= limit).then_some(out))
}

/// Decodes a body: charset from the Content-Type header, else a BOM, else a `<meta>` charset in
/// the first 2 KB, else UTF-8. Undecodable bytes become U+FFFD.
pub fn decode(bytes: Vec<u8>, content_type: Option<&str>) -> String {
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(&bytes[..bytes.len().min(2048)]))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let encoding = encoding_rs::Encoding::for_bom(&bytes)
        .map(|(e, _)| e)
        .or(declared)
        .unwrap_or_else(|| guess_encoding(&bytes));
    if encoding == encoding_rs::UTF_8 && !bytes.starts_with(b"\xEF\xBB\xBF") {
        // The common case takes the bytes as they are, without a copy.
        return String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    let (text, _, _) = encoding.decode(&bytes);
    text.into_owned()
}

/// Nothing declared: UTF-8 if the bytes are UTF-8, else what chardetng reads them as (a GBK
/// page without a `<meta>` is common on older Chinese supplier sites).
fn guess_encoding(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// The body's fingerprint, 128-bit XXH3 in hex: it tells the page the supplier served last time
/// from a changed one. A collision would at worst skip one extraction until the page changes
/// again; the product's own SHA-256 content hash still decides its versions.
pub(super) fn body_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = text.find("charset=")? + "charset=".len();
    let value: String = text[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gzip_file_is_undone_within_the_limit() {
        use std::io::Write;
        let text = "颜色 红色 ".repeat(1000).into_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).expect("gzip");
        let gz = gz.finish().expect("gzip");
        assert_eq!(gunzip(&gz, text.len()).expect("gzip"), Some(text.clone()));
        assert_eq!(
            gunzip(&gz, text.len() - 1).expect("gzip"),
            None,
            "over the limit"
        );
        assert!(gunzip(b"\x1f\x8bnot gzip", 100).is_err());
        let url = Url::parse("http://s/sitemap.xml.gz").expect("url");
        assert!(matches!(
            gunzip_file(&url, gz.clone(), 10),
            Err(FetchError::TooLarge { limit: 10, .. })
        ));
        assert_eq!(
            gunzip_file(&url, b"<urlset/>".to_vec(), 10).expect("plain"),
            b"<urlset/>"
        );
    }

    #[test]
    fn charset_comes_from_header_then_meta_then_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("颜色 红色");
        assert_eq!(
            decode(gbk.to_vec(), Some("text/html; charset=GBK")),
            "颜色 红色"
        );
        let mut page = b"<html><head><meta charset=\"gbk\"></head>".to_vec();
        page.extend_from_slice(&gbk);
        assert!(decode(page, Some("text/html")).ends_with("颜色 红色"));
        assert_eq!(decode("红色".as_bytes().to_vec(), None), "红色");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("红色".as_bytes());
        assert_eq!(decode(bom, None), "红色", "the BOM is not part of the text");
        assert_eq!(
            decode(b"a\xFFb".to_vec(), Some("text/html; charset=utf-8")),
            "a\u{FFFD}b"
        );
    }

    #[test]
    fn undeclared_encodings_are_detected() {
        let cases = [
            (
                encoding_rs::GBK,
                "<html><body><h1>纯棉短袖T恤 男士夏季宽松</h1><table><tr><th>颜色</th><th>尺码</th>\
                 <th>价格</th></tr><tr><td>白色</td><td>XL</td><td>39.90元</td></tr></table>\
                 <p>现货 库存 123 件 仅剩 3 件</p></body></html>",
            ),
            (
                encoding_rs::BIG5,
                "<html><body><h1>純棉短袖T恤 男士夏季寬鬆</h1><table><tr><th>顏色</th><th>尺碼</th>\
                 <th>價格</th></tr><tr><td>白色</td><td>XL</td><td>39.90元</td></tr></table>\
                 <p>現貨 庫存 123 件 僅剩 3 件</p></body></html>",
            ),
            (
                encoding_rs::SHIFT_JIS,
                "<html><body><h1>綿100% Tシャツ メンズ 半袖</h1><p>在庫あり カラー ホワイト サイズ XL 価格 ￥1,980</p></body></html>",
            ),
        ];
        for (encoding, text) in cases {
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable, "{}", encoding.name());
            assert_eq!(
                decode(bytes.to_vec(), Some("text/html")),
                text,
                "{}",
                encoding.name()
            );
        }
    }
}
