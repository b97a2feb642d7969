//! Platform data: the product as the shop system itself holds it, embedded in the page.
//!
//! - Shopify: the product JSON (`<script type="application/json" id="ProductJson-…">`, or the
//!   `/products/<handle>.js` body): `options`, `variants` with `option1..3` (or `options`),
//!   price in cents, `available`, `inventory_quantity`.
//! - WooCommerce: `<form class="variations_form" data-product_variations="[…]">`.
//! - Magento 2: `spConfig` / swatch `jsonConfig` in `text/x-magento-init`.
//! - 1688: `skuModel` (`skuProps`, `skuInfoMap` keyed by `红色&gt;XL`).
//! - Tmall / Taobao: `skuBase` (`props`, `skus` with `propPath`) and `skuCore.sku2info`.
//! - AliExpress: `runParams` / `skuComponent` and `priceComponent.skuPriceList`.

use catalog::RawVariant;
use serde_json::Value;

use super::json::{at, lenient, objects_after, text};
use super::{scan, Found};

const RANK: u8 = 90;

pub(super) fn extract(html: &str) -> Vec<Found> {
    let mut found = Vec::new();
    found.extend(shopify(html));
    found.extend(woocommerce(html));
    found.extend(magento(html));
    found.extend(alibaba_1688(html));
    found.extend(tmall(html));
    found.extend(aliexpress(html));
    found
}

/// Shopify's product JSON in the page.
fn shopify(html: &str) -> Option<Found> {
    if !scan::has(html, "\"variants\"") {
        return None;
    }
    scan::elements(html, "script", |t| {
        t.attr("type")
            .is_some_and(|ty| ty.eq_ignore_ascii_case("application/json"))
    })
    .filter(|(_, body)| scan::has(body, "\"variants\""))
    .find_map(|(tag, body)| {
        let v = lenient(body)?;
        let product = v.get("product").unwrap_or(&v);
        let name = tag.attr("id").unwrap_or("product-json");
        shopify_product(product, &format!("shopify script#{name}"))
    })
}

/// A Shopify product object (`.js`, `.json` or the page's JSON) as findings.
pub fn shopify_product(product: &Value, from: &str) -> Option<Found> {
    let variants = product.get("variants")?.as_array()?;
    let option_names: Vec<String> = product
        .get("options")
        .and_then(Value::as_array)
        .map(|opts| {
            opts.iter()
                .filter_map(|o| text(Some(o)).or_else(|| text(o.get("name"))))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Found::new(from, RANK);
    let p = &mut found.product;
    p.title = text(product.get("title"));
    p.brand = text(product.get("vendor"));
    p.option_labels = option_names.clone();
    for (n, v) in variants.iter().enumerate() {
        let values: Vec<String> = match v.get("options").and_then(Value::as_array) {
            Some(values) => values.iter().filter_map(|x| text(Some(x))).collect(),
            None => ["option1", "option2", "option3"]
                .iter()
                .filter_map(|k| text(v.get(*k)))
                .collect(),
        };
        let spec = option_names
            .iter()
            .zip(values)
            // Shopify's one-variant products have one option, "Title", valued "Default Title".
            .filter(|(name, value)| !(name.as_str() == "Title" && value == "Default Title"))
            .map(|(name, value)| (name.clone(), value))
            .collect();
        p.variants.push(RawVariant {
            spec,
            sku: text(v.get("sku")),
            price: shopify_price(v.get("price")),
            compare_at: shopify_price(v.get("compare_at_price")),
            currency: None,
            availability: in_stock(v.get("available")),
            quantity: text(v.get("inventory_quantity")),
        });
        p.note(format!("variants[{n}]"), format!("{from}.variants[{n}]"));
    }
    p.option_labels
        .retain(|l| !(l == "Title" && p.variants.iter().all(|v| v.spec.is_empty())));
    Some(found)
}

/// A platform's `true`/`false` stock flag as an availability.
fn in_stock(flag: Option<&Value>) -> Option<String> {
    let available = flag?.as_bool()?;
    Some(if available { "InStock" } else { "OutOfStock" }.to_owned())
}

/// Shopify prices: an integer is cents (`.js`, the page's JSON), a string is the amount (`.json`).
fn shopify_price(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            let cents = n.as_i64()?;
            Some(format!("{}.{:02}", cents / 100, (cents % 100).abs()))
        }
        other => text(Some(other)),
    }
}

/// WooCommerce variable products: `data-product_variations` on the variations form.
fn woocommerce(html: &str) -> Option<Found> {
    if !scan::has(html, "data-product_variations") {
        return None;
    }
    let tag = scan::tags(html, "form").find(|t| t.attr("data-product_variations").is_some())?;
    let data = lenient(&catalog::decode_entities(
        tag.attr("data-product_variations")?,
    ))?;
    let mut found = Found::new("woocommerce data-product_variations", RANK);
    let p = &mut found.product;
    for (n, v) in data.as_array()?.iter().enumerate() {
        let mut spec = Vec::new();
        if let Some(attrs) = v.get("attributes").and_then(Value::as_object) {
            for (name, value) in attrs {
                let label = name
                    .trim_start_matches("attribute_")
                    .trim_start_matches("pa_")
                    .to_owned();
                if let Some(value) = text(Some(value)) {
                    if !p.option_labels.contains(&label) {
                        p.option_labels.push(label.clone());
                    }
                    spec.push((label, value));
                }
            }
        }
        p.variants.push(RawVariant {
            spec,
            sku: text(v.get("sku")),
            price: text(v.get("display_price")),
            compare_at: text(v.get("display_regular_price"))
                .filter(|r| Some(r) != text(v.get("display_price")).as_ref()),
            currency: None,
            availability: in_stock(v.get("is_in_stock")),
            quantity: text(v.get("max_qty")),
        });
        p.note(
            format!("variants[{n}]"),
            format!("woocommerce variation {n}"),
        );
    }
    Some(found)
}

/// Magento 2 configurable products: `jsonConfig` (swatches) or `spConfig`.
fn magento(html: &str) -> Option<Found> {
    if !scan::has(html, "optionPrices") {
        return None;
    }
    ["\"jsonConfig\"", "\"spConfig\""]
        .iter()
        .flat_map(|marker| objects_after(html, marker))
        .find_map(|config| magento_config(&config))
}

/// A Magento `jsonConfig`/`spConfig` object as findings: one variant per child product, its
/// options from `index`, its price from `optionPrices`, in stock if `salable` lists it.
pub fn magento_config(config: &Value) -> Option<Found> {
    let attributes = config.get("attributes")?.as_object()?;
    let index = config.get("index")?.as_object()?;
    let prices = config.get("optionPrices")?.as_object()?;
    let precision = at(config, &["priceFormat", "precision"])
        .and_then(Value::as_u64)
        .unwrap_or(2) as usize;
    let mut attrs: Vec<(&String, &Value)> = attributes.iter().collect();
    attrs.sort_by_key(|(_, a)| text(a.get("position")).and_then(|p| p.parse::<i64>().ok()));
    let label_of = |attr: &Value, option_id: &str| {
        attr.get("options")?
            .as_array()?
            .iter()
            .find(|o| text(o.get("id")).as_deref() == Some(option_id))
            .and_then(|o| text(o.get("label")))
    };
    let salable = config.get("salable").and_then(Value::as_object);
    let mut found = Found::new("magento jsonConfig", RANK);
    let p = &mut found.product;
    p.option_labels = attrs
        .iter()
        .filter_map(|(_, a)| text(a.get("label")))
        .collect();
    let mut children: Vec<(&String, &Value)> = index.iter().collect();
    children.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(i64::MAX));
    for (n, (child, choice)) in children.into_iter().enumerate() {
        let mut spec = Vec::new();
        let mut in_stock = salable.is_some();
        for (attr_id, attr) in &attrs {
            let Some(option_id) = text(choice.get(attr_id.as_str())) else {
                continue;
            };
            if let (Some(label), Some(value)) =
                (text(attr.get("label")), label_of(attr, &option_id))
            {
                spec.push((label, value));
            }
            if let Some(salable) = salable {
                let listed = salable
                    .get(attr_id.as_str())
                    .and_then(|s| s.get(&option_id))
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|i| text(Some(i)).as_deref() == Some(child)));
                in_stock &= listed;
            }
        }
        let price = |key: &str| {
            prices
                .get(child.as_str())
                .and_then(|p| p.get(key))
                .and_then(|p| p.get("amount"))
                .and_then(Value::as_f64)
                .map(|a| format!("{a:.precision$}"))
        };
        let final_price = price("finalPrice");
        let old = price("oldPrice").filter(|o| Some(o) != final_price.as_ref());
        p.variants.push(RawVariant {
            spec,
            sku: None,
            price: final_price,
            compare_at: old,
            currency: None,
            availability: salable
                .map(|_| if in_stock { "InStock" } else { "OutOfStock" }.to_owned()),
            quantity: None,
        });
        p.note(
            format!("variants[{n}]"),
            format!("magento jsonConfig child {child}"),
        );
    }
    (!p.variants.is_empty()).then_some(found)
}

/// 1688's `skuModel`: `skuProps` name the options, `skuInfoMap` keys join values with `>`.
fn alibaba_1688(html: &str) -> Option<Found> {
    let model = objects_after(html, "skuModel").next()?;
    let props = model.get("skuProps")?.as_array()?;
    let labels: Vec<String> = props.iter().filter_map(|p| text(p.get("prop"))).collect();
    let map = model.get("skuInfoMap")?.as_object()?;
    let mut found = Found::new("1688 skuModel", RANK);
    let p = &mut found.product;
    p.option_labels = labels.clone();
    for (n, (key, info)) in map.iter().enumerate() {
        let key = catalog::decode_entities(key);
        let values = key.split('>');
        let spec = labels
            .iter()
            .cloned()
            .zip(values.map(str::to_owned))
            .collect();
        let quantity = text(info.get("canBookCount"));
        p.variants.push(RawVariant {
            spec,
            sku: text(info.get("specId")).or_else(|| text(info.get("skuId"))),
            price: text(info.get("discountPrice")).or_else(|| text(info.get("price"))),
            compare_at: None,
            currency: Some("CNY".to_owned()),
            availability: None,
            quantity,
        });
        p.note(format!("variants[{n}]"), format!("1688 skuInfoMap[{key}]"));
    }
    p.currency = Some("CNY".to_owned());
    Some(found)
}

/// Tmall/Taobao: `skuBase` (options and SKU paths) with `sku2info` (price, quantity per SKU).
fn tmall(html: &str) -> Option<Found> {
    let base = objects_after(html, "skuBase").next()?;
    let info = objects_after(html, "sku2info").next()?;
    let props = base.get("props")?.as_array()?;
    let mut found = Found::new("tmall skuBase+sku2info", RANK);
    let p = &mut found.product;
    p.option_labels = props.iter().filter_map(|x| text(x.get("name"))).collect();
    let value_of = |pid: &str, vid: &str| -> Option<(String, String)> {
        let prop = props
            .iter()
            .find(|x| text(x.get("pid")).as_deref() == Some(pid))?;
        let value = prop
            .get("values")?
            .as_array()?
            .iter()
            .find(|v| text(v.get("vid")).as_deref() == Some(vid))?;
        Some((text(prop.get("name"))?, text(value.get("name"))?))
    };
    for (n, sku) in base.get("skus")?.as_array()?.iter().enumerate() {
        let Some(id) = text(sku.get("skuId")) else {
            continue;
        };
        let path = text(sku.get("propPath")).unwrap_or_default();
        let spec = path
            .split(';')
            .filter_map(|pv| pv.split_once(':'))
            .filter_map(|(pid, vid)| value_of(pid, vid))
            .collect();
        let entry = info.get(&id);
        let price = entry.and_then(|e| {
            text(at(e, &["subPrice", "priceText"])).or_else(|| text(at(e, &["price", "priceText"])))
        });
        p.variants.push(RawVariant {
            spec,
            sku: Some(id.clone()),
            price,
            compare_at: None,
            currency: Some("CNY".to_owned()),
            availability: None,
            quantity: entry.and_then(|e| text(e.get("quantity"))),
        });
        p.note(
            format!("variants[{n}]"),
            format!("tmall skuBase.skus[{n}] + sku2info[{id}]"),
        );
    }
    p.currency = Some("CNY".to_owned());
    Some(found)
}

/// AliExpress `runParams`: options from `skuComponent.productSKUPropertyList`, prices and
/// quantities from `priceComponent.skuPriceList` (older pages: `skuModule`, `skuPriceList`).
fn aliexpress(html: &str) -> Option<Found> {
    let run = objects_after(html, "runParams").next()?;
    let data = run.get("data").unwrap_or(&run);
    let props = at(data, &["skuComponent", "productSKUPropertyList"])
        .or_else(|| at(data, &["skuModule", "productSKUPropertyList"]))?
        .as_array()?;
    let list = at(data, &["priceComponent", "skuPriceList"])
        .or_else(|| at(data, &["skuModule", "skuPriceList"]))?
        .as_array()?;
    let mut found = Found::new("aliexpress runParams", RANK);
    let p = &mut found.product;
    p.title = text(at(data, &["productInfoComponent", "subject"]))
        .or_else(|| text(at(data, &["titleModule", "subject"])));
    p.option_labels = props
        .iter()
        .filter_map(|x| text(x.get("skuPropertyName")))
        .collect();
    let value_of = |prop_id: &str| -> Option<(String, String)> {
        props.iter().find_map(|prop| {
            let value = prop
                .get("skuPropertyValues")?
                .as_array()?
                .iter()
                .find(|v| {
                    text(v.get("propertyValueId"))
                        .or_else(|| text(v.get("propertyValueIdLong")))
                        .as_deref()
                        == Some(prop_id)
                })?;
            Some((
                text(prop.get("skuPropertyName"))?,
                text(value.get("propertyValueDisplayName"))
                    .or_else(|| text(value.get("propertyValueName")))?,
            ))
        })
    };
    for (n, sku) in list.iter().enumerate() {
        let ids = text(sku.get("skuPropIds")).unwrap_or_default();
        let spec = ids
            .split(',')
            .filter_map(|id| value_of(id.trim()))
            .collect();
        let val = sku.get("skuVal");
        let amount = |key: &str| {
            val.and_then(|v| v.get(key))
                .and_then(|a| text(a.get("formatedAmount")).or_else(|| text(a.get("value"))))
        };
        let activity = amount("skuActivityAmount");
        let regular = amount("skuAmount");
        let (price, compare_at) = match activity {
            Some(a) => (Some(a), regular),
            None => (regular, None),
        };
        p.variants.push(RawVariant {
            spec,
            sku: text(sku.get("skuIdStr")).or_else(|| text(sku.get("skuId"))),
            price,
            compare_at,
            currency: text(at(data, &["currencyComponent", "currencyCode"])),
            availability: None,
            quantity: val.and_then(|v| text(v.get("availQuantity"))),
        });
        p.note(
            format!("variants[{n}]"),
            format!("aliexpress skuPriceList[{n}]"),
        );
    }
    Some(found)
}
