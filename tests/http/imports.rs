//! Importing a list from a CSV file, as marketing does it from the import page: upload, the
//! preview with each row's problems, the import in the background, the report; the same file
//! again; a stop in the middle.

use crate::common::{spawn_app, TestApp};
use leadline::domain::role::Role;
use leadline::server::clock::Clock;
use leadline::server::live::Live;
use leadline::server::services::imports::{self, Importer};
use leadline::server::services::policy::PolicyCell;
use reqwest::StatusCode;
use serde_json::{json, Value};

const MARKETING: &str = "maya@import.test";

async fn team(app: &TestApp) -> reqwest::Client {
    app.add_user(Role::Marketing, MARKETING).await;
    for rep in ["rita@import.test", "raj@import.test"] {
        app.add_user(Role::Rep, rep).await;
    }
    app.signed_in(MARKETING).await
}

/// Uploads `bytes` as `name`; answers the status and where the browser is sent.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, String, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let response = client
        .post(format!("{}/import/upload", app.url))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

fn import_id(location: &str) -> String {
    location
        .trim_start_matches("/import?id=")
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

async fn page(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let (status, body) = app.server_fn(client, "imports/page", &[("id", id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["open"].clone()
}

/// Waits until the import is done; answers its page.
async fn finished(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    for _ in 0..600 {
        let open = page(app, client, id).await;
        if open["status"] == "done" {
            return open;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn marketing_previews_a_list_imports_it_and_downloads_the_report() {
    let app = spawn_app().await;
    let client = team(&app).await;
    // Already a lead: the list's row is a repeat, linked to it.
    assert_eq!(
        app.post_lead(json!({ "name": "Known Person", "email": "known@acme.test" }))
            .await
            .status(),
        StatusCode::CREATED
    );
    let file = "\u{feff}First Name;Last Name;E-mail;Company;Booth notes\n\
                Ann;Lee;ann@acme.test;Acme;Wants a demo\n\
                Bo;Berg;not-an-email;Berg AB;\n\
                Known;Person;known@acme.test;Acme;Came by again\n\
                Cy;Diaz;cy@diaz.test;Diaz Co;\n";
    let (status, location, _) = upload(&app, &client, "fair.csv", file.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = import_id(&location);

    let preview = page(&app, &client, &id).await;
    assert_eq!(preview["status"], "ready");
    assert_eq!(preview["read_as"], "UTF-8, separated by semicolons");
    let keys: Vec<&str> = preview["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["first_name", "last_name", "email", "company", "note"]
    );
    assert_eq!(preview["rows"][0]["problems"], json!([]));
    assert!(
        preview["rows"][1]["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("Email"),
        "{preview}"
    );
    assert!(
        preview["pace"].as_str().unwrap().contains("12 an hour"),
        "{preview}"
    );
    assert_eq!(app.lead_count().await, 1, "a preview imports nothing");

    let (status, body) = app
        .server_fn(&client, "imports/start", &[("id", &id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = finished(&app, &client, &id).await;
    assert_eq!(
        (&done["imported"], &done["repeats"], &done["rejected"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(app.lead_count().await, 3);
    let (message,): (String,) =
        sqlx::query_as("SELECT i.message FROM inquiries i JOIN leads l ON l.id = i.lead_id WHERE l.email = 'ann@acme.test'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(message, "Booth notes: Wants a demo");
    // The second new person's first call is due later than the first's, not at once.
    let dues: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, next_due_at FROM leads WHERE email IN ('ann@acme.test', 'cy@diaz.test') ORDER BY next_due_at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(dues[0].0, "ann@acme.test");
    assert!(dues[1].1 > dues[0].1, "{dues:?}");

    let report = client
        .get(format!("{}/import/{id}/report.csv", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(report.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let report = report.text().await.unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 5, "{report}");
    assert!(lines[0].starts_with("row,outcome,lead,reason,First Name"));
    assert!(lines[2].starts_with("2,rejected,,Email: "), "{report}");
    assert!(lines[3].starts_with("3,repeat,"), "{report}");

    // The same file again is the same import: nothing new.
    let (status, again, _) = upload(&app, &client, "fair-copy.csv", file.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(import_id(&again), id);
    assert!(again.ends_with("&again=1"));
    let (status, _) = app
        .server_fn(&client, "imports/start", &[("id", &id)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.lead_count().await, 3);
}

#[tokio::test]
async fn latin_1_commas_and_a_changed_column_are_read_as_the_person_wrote_them() {
    let app = spawn_app().await;
    let client = team(&app).await;
    let file = b"Contact,Mail,Tel\nZo\xEB M\xFCller,zoe@mueller.test,+49 30 1234567\n".to_vec();
    let (_, location, _) = upload(&app, &client, "messe.csv", file).await;
    let id = import_id(&location);
    let preview = page(&app, &client, &id).await;
    assert_eq!(preview["read_as"], "Latin-1, separated by commas");
    // "Contact" is not a name the guess knows: marketing says it is the name.
    assert_eq!(preview["columns"][0]["key"], "note");
    let (status, body) = app
        .server_fn(
            &client,
            "imports/mapping",
            &[
                ("id", &id),
                ("mapping[0]", "name"),
                ("mapping[1]", "email"),
                ("mapping[2]", "phone"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.server_fn(&client, "imports/start", &[("id", &id)])
        .await;
    finished(&app, &client, &id).await;
    let (name,): (String,) = sqlx::query_as("SELECT name FROM leads")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Zoë Müller");
}

#[tokio::test]
async fn a_list_without_email_or_phone_a_broken_file_and_a_rep_are_refused_in_words() {
    let app = spawn_app().await;
    let client = team(&app).await;
    let (_, location, _) = upload(
        &app,
        &client,
        "names.csv",
        b"Name,Company\nAnn,Acme\n".to_vec(),
    )
    .await;
    let id = import_id(&location);
    let preview = page(&app, &client, &id).await;
    assert!(preview["problems"][0]
        .as_str()
        .unwrap()
        .contains("Email or Phone"));
    let (status, body) = app
        .server_fn(&client, "imports/start", &[("id", &id)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("Email or Phone"),
        "{body}"
    );
    assert_eq!(app.lead_count().await, 0);

    let (status, _, page) = upload(&app, &client, "empty.csv", Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The file is empty."), "{page}");
    let (status, _, page) = upload(&app, &client, "header.csv", b"Email\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("no people under it"), "{page}");
    let hostile = b"Email\n\"<script>alert(1)</script>\n".to_vec();
    let (status, _, page) = upload(&app, &client, "<b>x</b>.csv", hostile).await;
    assert!(
        status.is_client_error() || status == StatusCode::SEE_OTHER,
        "{status}"
    );
    assert!(!page.contains("<script>"), "{page}");

    let rep = app.signed_in("rita@import.test").await;
    let (status, _, page) = upload(&app, &rep, "mine.csv", b"Email\na@b.test\n".to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("list imports are for marketing, managers and admins"),
        "{page}"
    );
    let stranger = crate::common::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (status, _, _) = upload(&app, &stranger, "x.csv", b"Email\na@b.test\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_stop_in_the_middle_of_10_000_rows_resumes_without_a_lead_twice() {
    let app = spawn_app().await;
    let client = team(&app).await;
    let mut file = String::from("email,name,company\n");
    for n in 0..10_000 {
        file.push_str(&format!("p{n}@list.test,Person {n},Co {n}\n"));
    }
    // A bad row and a person listed twice do not stop the rest.
    file.push_str("broken,Nobody,Nowhere\np7@list.test,Person Seven Again,Co\n");
    let (_, location, _) = upload(&app, &client, "big.csv", file.into_bytes()).await;
    let id = import_id(&location);
    let policy = leadline::server::store::policy::load(&app.db, chrono_tz::UTC)
        .await
        .unwrap();
    let importer = Importer {
        db: app.db.clone(),
        policy: PolicyCell::new(policy),
        clock: Clock::default(),
        live: Live::default(),
        phone_region: "US".to_string(),
    };
    // Started by hand, so the test can stop it: marked running, then run until some rows are
    // in, then dropped mid-transaction as a killed server would be.
    sqlx::query("UPDATE imports SET status = 'running', next_arrival = $2 WHERE id = $1")
        .bind(&id)
        .bind(chrono::Utc::now())
        .execute(&app.db)
        .await
        .unwrap();
    let running = {
        let importer = importer.clone();
        let id = id.clone();
        tokio::spawn(async move { imports::run(&importer, &id).await })
    };
    loop {
        let (done,): (i64,) = sqlx::query_as("SELECT done_rows FROM imports WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if done >= 400 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    running.abort();
    let _ = running.await;
    let stopped_at = app.lead_count().await;
    assert!(stopped_at < 10_000, "stopped before the end ({stopped_at})");

    imports::resume_all(&importer).await.unwrap();
    let done = finished(&app, &client, &id).await;
    assert_eq!(done["imported"], 10_000);
    assert_eq!(done["repeats"], 1);
    assert_eq!(done["rejected"], 1);
    assert_eq!(app.lead_count().await, 10_000, "no lead twice");
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT row_no) FROM import_rows WHERE import_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((rows, distinct), (10_002, 10_002));
}

#[tokio::test]
async fn extra_cells_a_re_saved_list_and_a_declared_giant_are_handled_in_words() {
    let app = spawn_app().await;
    let client = team(&app).await;
    let file = "Name,Email,Company\nOnly Long,only-long@x.test,Co,extra\nBo,bo@x.test,Bo AB\n";
    let (_, location, _) = upload(&app, &client, "long.csv", file.as_bytes().to_vec()).await;
    let id = import_id(&location);
    app.server_fn(&client, "imports/start", &[("id", &id)])
        .await;
    finished(&app, &client, &id).await;
    let report = client
        .get(format!("{}/import/{id}/report.csv", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let report = report.text().await.unwrap();
    assert!(
        report
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",Only Long,only-long@x.test,Co,extra"),
        "{report}"
    );

    // The same list saved again with Windows line endings and a byte-order mark.
    let again = format!("\u{feff}{}", file.replace('\n', "\r\n"));
    let (_, location, _) = upload(&app, &client, "long (1).csv", again.into_bytes()).await;
    assert_eq!(import_id(&location), id);
    assert!(location.ends_with("&again=1"));

    // A body declared larger than 32 MB is refused at once, before it is sent.
    let login = crate::common::client()
        .post(format!("{}/api/auth/login", app.url))
        .header("Accept", "application/json")
        .form(&[("email", MARKETING), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let started = std::time::Instant::now();
    let mut stream = tokio::net::TcpStream::connect(app.url.trim_start_matches("http://"))
        .await
        .unwrap();
    let request = format!(
        "POST /import/upload HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 40000000\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut reply = vec![0; 4096];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::io::AsyncReadExt::read(&mut stream, &mut reply),
    )
    .await
    .expect("answered at once")
    .unwrap();
    let reply = String::from_utf8_lossy(&reply[..read]);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
