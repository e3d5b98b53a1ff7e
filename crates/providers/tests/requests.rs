//! Request building without I/O: exact URLs, form fields and MD5, and validation before sending.

use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::easysoft::{EasysoftApi, EasysoftNetwork, EasysoftRefillRequest};
use termdee_providers::wepay::api::{md5_hex, validate_dest_ref};
use termdee_providers::wepay::{WepayApi, WepayOrderRequest, WepayRefundRequest};
use termdee_providers::{Body, EasysoftConfig, HttpRequest, Method, ProviderError, WepayConfig};

fn fields(request: &HttpRequest) -> Vec<(String, String)> {
    match &request.body {
        Body::Form(fields) | Body::Query(fields) => fields
            .iter()
            .map(|f| (f.name.clone(), f.value.expose().to_owned()))
            .collect(),
        other => panic!("expected form fields, got {other:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn wepay_api() -> WepayApi {
    WepayApi::new(WepayConfig {
        base_url: url::Url::parse("http://127.0.0.1:8080/").expect("url"),
        username: "shop".to_owned(),
        password: SecretString::from("secret"),
        password_is_md5: false,
        callback_url: Some(url::Url::parse("https://shop.example/wepay/cb").expect("url")),
    })
}

fn order() -> WepayOrderRequest {
    WepayOrderRequest {
        dest_ref: "SALE42".to_owned(),
        company: "HAPPY-AOP".to_owned(),
        amount: Satang::new(28_001),
        phone: "0912345678".to_owned(),
    }
}

#[test]
fn md5_is_lowercase_hex() {
    assert_eq!(md5_hex("secret"), "5ebe2294ecd0e0f08eab7690d2a6ee69");
}

#[test]
fn wepay_defaults_to_production() {
    assert_eq!(
        WepayConfig::default().base_url.as_str(),
        "https://www.wepay.in.th/"
    );
    assert_eq!(
        EasysoftConfig::default().endpoint.as_str(),
        "https://api.easysoft.in.th/topup/v2.php"
    );
}

#[test]
fn wepay_balance_request() {
    let request = wepay_api().balance_request().expect("request");
    assert_eq!(request.method, Method::Post);
    assert_eq!(
        request.url.as_str(),
        "http://127.0.0.1:8080/client_api.json.php"
    );
    assert_eq!(
        fields(&request),
        pairs(&[
            ("username", "shop"),
            ("password_hash", "5ebe2294ecd0e0f08eab7690d2a6ee69"),
            ("type", "balance_inquiry"),
        ])
    );
    assert!(
        !request.body.redacted().contains("5ebe2294"),
        "the hash is masked in logs"
    );
}

#[test]
fn wepay_order_request_exact_fields() {
    let request = wepay_api().order_request(&order()).expect("request");
    assert_eq!(
        fields(&request),
        pairs(&[
            ("username", "shop"),
            ("password_hash", "5ebe2294ecd0e0f08eab7690d2a6ee69"),
            ("type", "mtopup"),
            ("dest_ref", "SALE42"),
            ("resp_url", "https://shop.example/wepay/cb"),
            ("pay_to_company", "HAPPY-AOP"),
            ("pay_to_amount", "280.01"),
            ("pay_to_ref1", "0912345678"),
        ])
    );
}

#[test]
fn wepay_password_already_md5_is_not_hashed_again() {
    let api = WepayApi::new(WepayConfig {
        password: SecretString::from("5EBE2294ECD0E0F08EAB7690D2A6EE69"),
        password_is_md5: true,
        ..WepayConfig::default()
    });
    let request = api.balance_request().expect("request");
    assert_eq!(fields(&request)[1].1, "5ebe2294ecd0e0f08eab7690d2a6ee69");
}

#[test]
fn wepay_dest_ref_is_validated_before_sending() {
    assert!(
        validate_dest_ref("A1234567890123456789").is_ok(),
        "20 alnum is fine"
    );
    for bad in [
        "",
        "A12345678901234567890",
        "sale-1",
        "ขาย1",
        "a b",
        "550e8400-e29b",
    ] {
        let result = wepay_api().order_request(&WepayOrderRequest {
            dest_ref: bad.to_owned(),
            ..order()
        });
        assert!(
            matches!(result, Err(ProviderError::InvalidRequest(_))),
            "{bad:?} must be refused"
        );
    }
}

#[test]
fn wepay_phone_amount_company_and_resp_url_are_validated() {
    for phone in ["0212345678", "081234567", "08123456789", "08-1234567"] {
        let result = wepay_api().order_request(&WepayOrderRequest {
            phone: phone.to_owned(),
            ..order()
        });
        assert!(result.is_err(), "phone {phone:?}");
    }
    let zero = wepay_api().order_request(&WepayOrderRequest {
        amount: Satang::ZERO,
        ..order()
    });
    assert!(zero.is_err());
    let company = wepay_api().order_request(&WepayOrderRequest {
        company: "A&B".to_owned(),
        ..order()
    });
    assert!(company.is_err());
    let no_callback = WepayApi::new(WepayConfig::default()).order_request(&order());
    assert!(matches!(no_callback, Err(ProviderError::Config(_))));
}

#[test]
fn wepay_catalogue_get_output_payee_info_and_refund_requests() {
    let api = wepay_api();
    let catalogue = api.catalogue_request().expect("request");
    assert_eq!(catalogue.method, Method::Get);
    assert_eq!(
        catalogue.url.as_str(),
        "http://127.0.0.1:8080/comp_export.php?json"
    );
    assert!(matches!(catalogue.body, Body::None));

    let get_output = api.get_output_request("3871249").expect("request");
    assert_eq!(
        fields(&get_output)[2..],
        pairs(&[("type", "get_output"), ("transaction_id", "3871249")])[..]
    );
    assert!(api.get_output_request("1 OR 1=1").is_err());

    let info = api.service_info_request("TRMV").expect("request");
    assert_eq!(
        fields(&info)[2..],
        pairs(&[
            ("type", "mtopup"),
            ("pay_to_company", "TRMV"),
            ("payee_info", "true")
        ])[..]
    );

    let refund = api
        .refund_request(&WepayRefundRequest {
            transaction_id: "3871249".to_owned(),
            dest_ref: "REFUND42".to_owned(),
            company: "TRMV".to_owned(),
        })
        .expect("request");
    assert_eq!(
        refund.url.as_str(),
        "http://127.0.0.1:8080/mtopup_refund_api.php"
    );
    assert_eq!(
        fields(&refund),
        pairs(&[
            ("username", "shop"),
            ("password_hash", "5ebe2294ecd0e0f08eab7690d2a6ee69"),
            ("transaction_id", "3871249"),
            ("dest_ref", "REFUND42"),
            ("pay_to_company", "TRMV"),
            ("resp_url", "https://shop.example/wepay/cb"),
        ])
    );
}

fn easysoft_api(users: Option<&str>) -> EasysoftApi {
    EasysoftApi::new(EasysoftConfig {
        endpoint: url::Url::parse("http://127.0.0.1:9090/topup/v2.php").expect("url"),
        username: "easysoft".to_owned(),
        password: SecretString::from("123456"),
        users: users.map(str::to_owned),
    })
}

fn refill() -> EasysoftRefillRequest {
    EasysoftRefillRequest {
        network: EasysoftNetwork::Dtac,
        number: "0824491794".to_owned(),
        cash: Satang::new(1000),
        users: None,
    }
}

#[test]
fn easysoft_refill_matches_the_doc_example() {
    // easysoft.md §3.1 / seed: mobile=refill&username=easysoft&password=123456&network=2&number=0824491794&cash=10
    let request = easysoft_api(None)
        .refill_request(&refill())
        .expect("request");
    assert_eq!(request.url.as_str(), "http://127.0.0.1:9090/topup/v2.php");
    assert_eq!(
        fields(&request),
        pairs(&[
            ("username", "easysoft"),
            ("password", "123456"),
            ("mobile", "refill"),
            ("network", "2"),
            ("number", "0824491794"),
            ("cash", "10"),
        ])
    );
    assert_eq!(
        request.body.redacted(),
        "username=easysoft&password=***&mobile=refill&network=2&number=0824491794&cash=10"
    );
}

#[test]
fn easysoft_users_from_request_or_config() {
    let from_config = easysoft_api(Some("kiosk-1"))
        .refill_request(&refill())
        .expect("request");
    assert_eq!(
        fields(&from_config).last().map(|(_, v)| v.as_str()),
        Some("kiosk-1")
    );
    let request = EasysoftRefillRequest {
        users: Some("cashier-7".to_owned()),
        ..refill()
    };
    let from_request = easysoft_api(Some("kiosk-1"))
        .refill_request(&request)
        .expect("request");
    assert_eq!(
        fields(&from_request).last().map(|(_, v)| v.as_str()),
        Some("cashier-7")
    );
}

#[test]
fn easysoft_networks_one_to_seven() {
    let numbers: Vec<u8> = EasysoftNetwork::ALL.iter().map(|n| n.number()).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6, 7]);
    for network in EasysoftNetwork::ALL {
        assert_eq!(
            EasysoftNetwork::parse(&network.number().to_string()),
            Some(network)
        );
    }
    assert_eq!(EasysoftNetwork::parse("true"), Some(EasysoftNetwork::TrueH));
    assert_eq!(EasysoftNetwork::parse("8"), None);
}

#[test]
fn easysoft_refill_validation() {
    let api = easysoft_api(None);
    let decimals = EasysoftRefillRequest {
        cash: Satang::new(1050),
        ..refill()
    };
    assert!(
        api.refill_request(&decimals).is_err(),
        "decimals are [U]: refused"
    );
    let number = EasysoftRefillRequest {
        number: "824491794".to_owned(),
        ..refill()
    };
    assert!(api.refill_request(&number).is_err());
}

#[test]
fn easysoft_other_requests() {
    let api = easysoft_api(None);
    let tail = |request: HttpRequest| fields(&request)[2..].to_vec();
    assert_eq!(
        tail(api.update_request("1234").expect("request")),
        pairs(&[("mobile", "update"), ("orderid", "1234")])
    );
    assert_eq!(
        tail(api.return_request("1234").expect("request")),
        pairs(&[("mobile", "return"), ("orderid", "1234")])
    );
    assert_eq!(tail(api.balance_request()), pairs(&[("amount", "1")]));
    assert_eq!(
        tail(api.network_status_request()),
        pairs(&[("online", "1")])
    );
    assert!(api.update_request("").is_err());
}
