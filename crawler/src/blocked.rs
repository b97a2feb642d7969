//! Pages that answer 200 but are not the product: a captcha, a slider, a login wall, an
//! anti-bot challenge. Taken for a product, they would read as "every variant gone"; they are a
//! `blocked` failure instead, which is never a change (DESIGN.md invariant 1).
//!
//! Only small pages are examined, and a page with product data is never a block page: a real
//! product page may mention "captcha" in a script.

/// Markers of block pages, lower case, with what they are.
const MARKERS: &[(&str, &str)] = &[
    ("g-recaptcha", "a captcha"),
    ("h-captcha", "a captcha"),
    ("cf-challenge", "an anti-bot challenge"),
    ("cf-browser-verification", "an anti-bot challenge"),
    ("challenge-platform", "an anti-bot challenge"),
    ("checking your browser", "an anti-bot challenge"),
    ("_____tmd_____", "a slider captcha"),
    ("nc_iconfont", "a slider captcha"),
    ("x5secdata", "a slider captcha"),
    ("punish?x5secdata", "a slider captcha"),
    ("滑动验证", "a slider captcha"),
    ("请拖动滑块", "a slider captcha"),
    ("拖动下方滑块", "a slider captcha"),
    ("验证码", "a captcha"),
    ("安全验证", "a security check"),
    ("访问被拒绝", "an access-denied page"),
    ("请登录", "a login wall"),
    ("login.taobao.com", "a login wall"),
    ("login.1688.com", "a login wall"),
    ("are you a robot", "a captcha"),
    ("verify you are human", "a captcha"),
    ("unusual traffic", "an anti-bot challenge"),
    ("access denied", "an access-denied page"),
    ("captcha", "a captcha"),
];

/// Block pages are small; product pages are tens of kilobytes.
const MAX_BLOCK_PAGE: usize = 64 * 1024;

/// Signs of product data: a page with them is a product page, whatever else it says.
const PRODUCT_DATA: &[&str] = &[
    "application/ld+json",
    "variant-table",
    "itemprop=\"offers\"",
];

/// Both lists searched at once, ASCII case-insensitively (no lower-cased copy of the page).
static SEARCH: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(PRODUCT_DATA.iter().chain(MARKERS.iter().map(|(m, _)| m)))
            .ok()
    });

/// What blocks the product, if this page is a block page.
pub(crate) fn block_page(body: &str) -> Option<&'static str> {
    if body.len() > MAX_BLOCK_PAGE {
        return None;
    }
    // Building the automaton from these constants does not fail; if it ever did, pages would
    // only not be recognised as block pages (and fail extraction instead).
    let search = SEARCH.as_ref()?;
    let mut found: Option<usize> = None;
    for m in search.find_overlapping_iter(body) {
        let i = m.pattern().as_usize();
        if i < PRODUCT_DATA.len() {
            return None;
        }
        let marker = i - PRODUCT_DATA.len();
        // The first marker of the list that the page holds, as the list is ordered by precision.
        found = Some(found.map_or(marker, |f| f.min(marker)));
    }
    found.map(|i| MARKERS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_pages_are_recognised_and_product_pages_are_not() {
        let cases = [
            ("<html><div class=\"g-recaptcha\" data-sitekey=\"x\"></div></html>", Some("a captcha")),
            ("<html><title>Just a moment...</title><div id=\"cf-challenge-running\"></div></html>", Some("an anti-bot challenge")),
            ("<html><div id=\"nc_1_n1z\" class=\"nc_iconfont btn_slide\"></div>请拖动滑块</html>", Some("a slider captcha")),
            ("<html><a href=\"https://login.1688.com/member/signin.htm\">请登录</a></html>", Some("a login wall")),
            ("<html><h1>404 商品已下架或不存在</h1></html>", None),
            (
                "<script type=\"application/ld+json\">{\"@type\":\"Product\"}</script><script>loadCaptcha()</script>",
                None,
            ),
        ];
        for (page, want) in cases {
            assert_eq!(block_page(page), want, "{page}");
        }
    }
}
