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

/// Walls a product page can stand behind at 200 OK, whatever its size: it is sold, but not to
/// this crawler's region, or its price is shown only to a signed-in customer. Read as sold out
/// they would unpublish a product the supplier still ships; they are `blocked` instead. Each is
/// a sentence the shopper sees holding a cue of both lists, lower case: where the wall stands,
/// and that it stands (a negation, a login).
struct Wall {
    what: &'static str,
    place: &'static [&'static str],
    stands: &'static [&'static str],
}

const WALLS: &[Wall] = &[
    Wall {
        what: "a regional wall (not sold in the crawler's region)",
        place: &[
            // zh
            "所在的地区",
            "所在地区",
            "该地区",
            "您的地区",
            "当前地区",
            "所在地區",
            "該地區",
            "您的地區",
            "當前地區",
            "所在國家",
            "所在国家",
            // en
            "in your region",
            "in your country",
            "in your location",
            "in your market",
            "to your region",
            "to your country",
            "to your location",
            "for your region",
            "for your country",
            // de, fr, es, pt, it, nl
            "in deinem land",
            "in ihrem land",
            "in ihrer region",
            "in deiner region",
            "dans votre pays",
            "dans votre région",
            "dans votre region",
            "vers votre pays",
            "en tu país",
            "en su país",
            "en tu región",
            "en su región",
            "a tu país",
            "a su país",
            "no seu país",
            "na sua região",
            "em seu país",
            "para o seu país",
            "nel tuo paese",
            "nel suo paese",
            "nella tua regione",
            "nella tua zona",
            "in jouw land",
            "in uw land",
            "in jouw regio",
            "in uw regio",
            // ru, uk, ja, ko, vi, th, id, tr, pl, ar
            "в вашем регионе",
            "в вашей стране",
            "в ваш регион",
            "у вашому регіоні",
            "у вашій країні",
            "お住まいの地域",
            "お客様の地域",
            "お住まいの国",
            "지역에서는",
            "국가에서는",
            "khu vực của bạn",
            "quốc gia của bạn",
            "ในภูมิภาคของคุณ",
            "ในประเทศของคุณ",
            "di wilayah anda",
            "di negara anda",
            "bölgenizde",
            "ülkenizde",
            "w twoim kraju",
            "w twoim regionie",
            "في منطقتك",
            "في بلدك",
        ],
        stands: &[
            "暂不销售",
            "暂不支持销售",
            "不可售",
            "暂不支持购买",
            "不支持购买",
            "无法购买",
            "暂不出售",
            "不销售",
            "暫不銷售",
            "不可購買",
            "無法購買",
            "暫不出售",
            "不銷售",
            "not available",
            "unavailable",
            "n't available",
            "n’t available",
            "not sold",
            "not for sale",
            "cannot be shipped",
            "can't be shipped",
            "not be shipped",
            "does not ship",
            "doesn't ship",
            "doesn’t ship",
            "cannot ship",
            "can't ship",
            "cannot be delivered",
            "not be delivered",
            "nicht verfügbar",
            "nicht erhältlich",
            "nicht lieferbar",
            "nicht verkauft",
            "pas disponible",
            "indisponible",
            "pas vendu",
            "ne peut pas être livré",
            "no está disponible",
            "no disponible",
            "no se vende",
            "não está disponível",
            "indisponível",
            "não disponível",
            "non è disponibile",
            "non disponibile",
            "niet beschikbaar",
            "недоступ",
            "не продается",
            "не продаётся",
            "нет в продаже",
            "недоступн",
            "не продається",
            "ご利用いただけません",
            "販売しておりません",
            "購入できません",
            "お届けできません",
            "ご購入いただけません",
            "구매할 수 없",
            "판매하지 않",
            "이용할 수 없",
            "không có sẵn",
            "không bán",
            "ไม่มีจำหน่าย",
            "tidak tersedia",
            "mevcut değil",
            "satılmamaktadır",
            "niedostępny",
            "niedostępne",
            "غير متوفر",
            "غير متاح",
        ],
    },
    Wall {
        what: "a login wall (the price is shown only after signing in)",
        place: &[
            "登录",
            "登陆",
            "登錄",
            "log in",
            "login",
            "sign in",
            "signin",
            "sign-in",
            "log-in",
            "ログイン",
            "로그인",
            "anmelden",
            "einloggen",
            "anmeldung",
            "connectez",
            "connexion",
            "identifiez",
            "inicia sesión",
            "iniciar sesión",
            "inicie sesión",
            "faça login",
            "fazer login",
            "accedi",
            "войдите",
            "авторизуйтесь",
            "увійдіть",
            "đăng nhập",
            "silakan masuk",
            "masuk untuk",
            "giriş yap",
            "zaloguj",
        ],
        stands: &[
            "价格",
            "价钱",
            "報價",
            "报价",
            "價格",
            "查看价",
            "price",
            "pricing",
            "価格",
            "値段",
            "가격",
            "preis",
            "prix",
            "precio",
            "preço",
            "prezzo",
            "prijs",
            "цен",
            "ціна",
            "ціни",
            "giá",
            "harga",
            "fiyat",
            "cena",
            "ceny",
        ],
    },
];

/// Sentences longer than this are prose (a description, terms), not a wall's notice.
const MAX_WALL_SENTENCE: usize = 120;

/// Every wall's cues, searched at once, ASCII case-insensitively, with the wall each belongs to
/// and whether it says where the wall stands (or that it stands).
struct Cues {
    search: aho_corasick::AhoCorasick,
    /// Per pattern: (the wall, a `place` cue).
    of: Vec<(usize, bool)>,
}

static WALL_CUES: std::sync::LazyLock<Option<Cues>> = std::sync::LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut of = Vec::new();
    for (i, wall) in WALLS.iter().enumerate() {
        for (list, place) in [(wall.place, true), (wall.stands, false)] {
            for cue in list {
                patterns.push(*cue);
                of.push((i, place));
            }
        }
    }
    let search = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(patterns)
        .ok()?;
    Some(Cues { search, of })
});

/// How close (in bytes of markup) the two cues of a wall must be for its page to be read
/// sentence by sentence.
const NEAR: usize = 400;

/// Whether the markup holds both cues of a wall close together: only such a page can hold a
/// wall's sentence, and reading a page's shown sentences costs as much as extracting it.
fn maybe_walled(html: &str) -> bool {
    let Some(cues) = WALL_CUES.as_ref() else {
        return false;
    };
    // The last place and last "stands" cue seen, per wall.
    let mut last: Vec<[Option<usize>; 2]> = vec![[None, None]; WALLS.len()];
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    for m in cues.search.find_overlapping_iter(html) {
        let (wall, place) = cues.of[m.pattern().as_usize()];
        // A Latin cue is a word of its own (`signInBestOfferURL` is no "sign in"); a
        // "stands" cue may go on (`prices`, `Preise`).
        if html[m.start()..m.end()].is_ascii()
            && (word(html[..m.start()].chars().next_back())
                || (place && word(html[m.end()..].chars().next())))
        {
            continue;
        }
        let (mine, other) = if place { (0, 1) } else { (1, 0) };
        if last[wall][other].is_some_and(|at| m.start() - at <= NEAR) {
            return true;
        }
        last[wall][mine] = Some(m.start());
    }
    false
}

/// What walls the product off, if a sentence the shopper sees says it is not sold in this
/// region, or shows its price only after signing in.
pub(crate) fn wall(html: &str) -> Option<&'static str> {
    if !maybe_walled(html) {
        return None;
    }
    let mut found = None;
    crate::extract::shown_sentences(html, &mut |sentence| {
        if found.is_some() || sentence.chars().count() > MAX_WALL_SENTENCE {
            return;
        }
        let sentence = sentence.to_lowercase().replace('’', "'");
        found = WALLS
            .iter()
            .find(|w| {
                w.place.iter().any(|p| sentence.contains(p))
                    && w.stands.iter().any(|s| sentence.contains(s))
            })
            .map(|w| w.what);
    });
    found
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

    #[test]
    fn regional_and_login_walls_are_recognised_where_the_shopper_sees_them() {
        let page = |body: &str| {
            format!(
                "<html><body><nav><a href=\"/login\">Login</a></nav><h1>Tee</h1>{body}\
                 <p>Pure cotton, 180 g.</p></body></html>"
            )
        };
        let regional = Some("a regional wall (not sold in the crawler's region)");
        let login = Some("a login wall (the price is shown only after signing in)");
        let cases = [
            ("<p>该商品在您所在的地区暂不销售</p>", regional),
            ("<div class=\"notice\">This product is <b>not available in your region</b>.</div>", regional),
            ("<p>This item isn’t available in your country</p>", regional),
            ("<p>Dieser Artikel ist in deinem Land nicht verfügbar</p>", regional),
            ("<p>Этот товар недоступен в вашем регионе</p>", regional),
            ("<span>Login to see price</span>", login),
            ("<a>登录后查看价格</a>", login),
            ("<p>Connectez-vous pour voir les prix</p>", login),
            // Not walls: a nav link alone, shipping offered, a hidden template, prose.
            ("<p>¥29.90</p>", None),
            ("<p>Free shipping in your country on orders over $50</p>", None),
            ("<template><p>Not available in your region</p></template>", None),
            ("<div hidden>Not available in your region</div>", None),
            ("<p>Some products may not be available in your region; we ship to 40 countries from our warehouses in Shenzhen and Rotterdam, so most of the catalogue can reach you within a week.</p>", None),
        ];
        for (body, want) in cases {
            assert_eq!(wall(&page(body)), want, "{body}");
        }
    }
}
