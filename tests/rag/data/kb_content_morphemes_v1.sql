-- kb.sqlite of a knowledge base written by korag 49699fc, before noun-pair terms (no 'terms' in meta):
-- the same 2 text documents; opening it re-tokenizes once. Made by db.iterdump().
BEGIN TRANSACTION;
CREATE TABLE acl_groups (name TEXT PRIMARY KEY);
CREATE TABLE acl_members (
    group_name TEXT NOT NULL REFERENCES acl_groups(name) ON DELETE CASCADE,
    user_name TEXT NOT NULL REFERENCES acl_users(name) ON DELETE CASCADE,
    PRIMARY KEY (group_name, user_name)
);
CREATE TABLE acl_readers (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    principal TEXT NOT NULL,            -- 'user:<name>' or 'group:<name>'
    PRIMARY KEY (document_id, principal)
);
CREATE TABLE acl_users (name TEXT PRIMARY KEY, admin INTEGER NOT NULL DEFAULT 0);
CREATE TABLE blocks (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    page INTEGER,
    heading_path TEXT NOT NULL,
    text TEXT NOT NULL,
    rows TEXT,
    PRIMARY KEY (document_id, ordinal)
);
INSERT INTO "blocks" VALUES('667d9e1fd2c325c7',0,'paragraph',NULL,'[]','제12조(대부한도) 직원 1인당 대부한도는 3천만 원으로 한다. 시중은행 금리를 참고하여 이자율을 정한다.',NULL);
INSERT INTO "blocks" VALUES('d4e6af7900d4f8a5',0,'paragraph',NULL,'[]','올해 상반기에는 전 직원이 개인정보 보호 교육을 이수해야 한다. 부서장은 이수 현황을 확인한다.',NULL);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    page INTEGER,
    heading_path TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    morphemes TEXT NOT NULL,            -- content morphemes, space-separated
    boxes TEXT                          -- OCR'd chunks: JSON [[left, top, right, bottom], …] page fractions
);
INSERT INTO "chunks" VALUES(1,'667d9e1fd2c325c7',0,'text',NULL,'[]',0,59,'제12조(대부한도) 직원 1인당 대부한도는 3천만 원으로 한다. 시중은행 금리를 참고하여 이자율을 정한다.','12 조 대부 한도 직원 1 인 대부 한도 3 천만 하 시중 은행 금리 참고 이자 정하',NULL);
INSERT INTO "chunks" VALUES(2,'d4e6af7900d4f8a5',0,'text',NULL,'[]',0,53,'올해 상반기에는 전 직원이 개인정보 보호 교육을 이수해야 한다. 부서장은 이수 현황을 확인한다.','올해 상반기 직원 개인 정보 보호 교육 이수 부서장 현황 확인',NULL);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,        -- where the file came from; identity across versions
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    pages INTEGER,
    title TEXT,
    pages_needing_ocr TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
INSERT INTO "documents" VALUES('667d9e1fd2c325c7','old/대출규정.txt','대출규정.txt','txt','33f5d44991fc228cbf721a85167f6b9743847c9941db9767cdd31c3513b0caf5',139,NULL,NULL,'[]','[]','[]',1,1.79624295442160892481e+09,1.79624295442160892481e+09);
INSERT INTO "documents" VALUES('d4e6af7900d4f8a5','old/보안교육.txt','보안교육.txt','txt','611860baf006c6ba0586e4fa5291ca88f3d76bfd84868a795c4e4575ae9aebdb',131,NULL,NULL,'[]','[]','[]',1,1.79624295446819472309e+09,1.79624295446819472309e+09);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','1');
INSERT INTO "meta" VALUES('generation','2');
CREATE TABLE versions (
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    ingested_at REAL NOT NULL,
    PRIMARY KEY (document_id, version)
);
INSERT INTO "versions" VALUES('667d9e1fd2c325c7',1,'33f5d44991fc228cbf721a85167f6b9743847c9941db9767cdd31c3513b0caf5',1.79624295442160892481e+09);
INSERT INTO "versions" VALUES('d4e6af7900d4f8a5',1,'611860baf006c6ba0586e4fa5291ca88f3d76bfd84868a795c4e4575ae9aebdb',1.79624295446819472309e+09);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX chunks_document ON chunks(document_id, ordinal);
CREATE INDEX acl_readers_principal ON acl_readers(principal, document_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('chunks',2);
COMMIT;
