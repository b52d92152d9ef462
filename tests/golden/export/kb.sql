BEGIN TRANSACTION;
CREATE TABLE aliases (
  alias TEXT PRIMARY KEY, paper_id TEXT NOT NULL REFERENCES papers(id),
  position INTEGER NOT NULL);
INSERT INTO "aliases" VALUES('mueller2022clip','muller2022clip',0);
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
INSERT INTO "authors" VALUES(1,'Alex Smith');
INSERT INTO "authors" VALUES(2,'Jane Doe');
INSERT INTO "authors" VALUES(3,'Ji-Woo Kim');
INSERT INTO "authors" VALUES(4,'Jürgen Müller');
INSERT INTO "authors" VALUES(5,'Logan Smith');
INSERT INTO "authors" VALUES(6,'López-Pérez, Ana María');
INSERT INTO "authors" VALUES(7,'Min-Jun Lee');
INSERT INTO "authors" VALUES(8,'Nora Belrose');
INSERT INTO "authors" VALUES(9,'Sara Okafor');
INSERT INTO "authors" VALUES(10,'Zach Furman');
INSERT INTO "authors" VALUES(11,'Zoë van Dijk');
INSERT INTO "authors" VALUES(12,'van der Berg, Piet');
CREATE TABLE benchmarks (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  url TEXT, introduced_by TEXT REFERENCES papers(id));
INSERT INTO "benchmarks" VALUES('fixture-bench',0,'FixtureBench','A made-up benchmark of the test fixture, with a percentage and a count.','https://example.org/fixture-bench','lee2023measuring');
CREATE TABLE candidates (
  list_id TEXT NOT NULL REFERENCES screened_lists(id), position INTEGER NOT NULL,
  title TEXT NOT NULL, arxiv TEXT, decision TEXT NOT NULL CHECK (decision IN
  ('included', 'excluded', 'deferred')), record_id TEXT, reason TEXT, note TEXT,
  PRIMARY KEY (list_id, position));
CREATE TABLE categories (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  parent TEXT REFERENCES categories(id), is_leaf INTEGER NOT NULL, overview TEXT);
INSERT INTO "categories" VALUES('data',0,'Data','Explaining from inputs and outputs.',NULL,0,NULL);
INSERT INTO "categories" VALUES('data.input-output',1,'Input and output attribution','Which inputs drive an answer.','data',1,NULL);
INSERT INTO "categories" VALUES('data.benchmark',2,'Benchmarks','Datasets and metrics.','data',1,NULL);
INSERT INTO "categories" VALUES('model',3,'Model','Inside the model.',NULL,0,'Inside the model, units and layers are read with lenses and probes [@doe2024probing].');
INSERT INTO "categories" VALUES('model.neuron',4,'Neuron level','Single units.','model',1,NULL);
INSERT INTO "categories" VALUES('model.layer',5,'Layer level','Layers and heads.','model',1,'Work at this level reads the residual stream layer by layer, first with the plain logit lens and then with trained translators [@belrose2023eliciting], which multimodal work has carried over to image tokens [@doe2024probing; @kim2024tuned].');
CREATE TABLE citations (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  cited_id TEXT NOT NULL, PRIMARY KEY (paper_id, position));
INSERT INTO "citations" VALUES('doe2024probing',0,'belrose2023eliciting');
INSERT INTO "citations" VALUES('kim2024tuned',0,'belrose2023eliciting');
INSERT INTO "citations" VALUES('kim2024tuned',1,'doe2024probing');
INSERT INTO "citations" VALUES('kim2024tuned',2,'mueller2022clip');
INSERT INTO "citations" VALUES('lee2023measuring',0,'belrose2023eliciting');
CREATE TABLE edges (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES nodes(id),
  target TEXT NOT NULL REFERENCES nodes(id), kind TEXT NOT NULL);
INSERT INTO "edges" VALUES(1,'method:tuned-lens','method:logit-lens','extends');
INSERT INTO "edges" VALUES(2,'paper:belrose2023eliciting','category:model.layer','in_category');
INSERT INTO "edges" VALUES(3,'paper:belrose2023eliciting','method:logit-lens','uses');
INSERT INTO "edges" VALUES(4,'paper:belrose2023eliciting','method:tuned-lens','proposes');
INSERT INTO "edges" VALUES(5,'paper:belrose2023eliciting','method:tuned-lens','uses');
INSERT INTO "edges" VALUES(6,'paper:belrose2023eliciting','modality:text','studies');
INSERT INTO "edges" VALUES(7,'paper:doe2024probing','category:model.layer','in_category');
INSERT INTO "edges" VALUES(8,'paper:doe2024probing','category:model.neuron','in_category');
INSERT INTO "edges" VALUES(9,'paper:doe2024probing','method:logit-lens','uses');
INSERT INTO "edges" VALUES(10,'paper:doe2024probing','modality:image','studies');
INSERT INTO "edges" VALUES(11,'paper:doe2024probing','modality:text','studies');
INSERT INTO "edges" VALUES(12,'paper:doe2024probing','model:llava','studies');
INSERT INTO "edges" VALUES(13,'paper:doe2024probing','paper:belrose2023eliciting','cites');
INSERT INTO "edges" VALUES(14,'paper:doe2024probing','paper:belrose2023eliciting','relation:extends');
INSERT INTO "edges" VALUES(15,'paper:kim2024tuned','category:model.layer','in_category');
INSERT INTO "edges" VALUES(16,'paper:kim2024tuned','method:tuned-lens','uses');
INSERT INTO "edges" VALUES(17,'paper:kim2024tuned','modality:image','studies');
INSERT INTO "edges" VALUES(18,'paper:kim2024tuned','modality:text','studies');
INSERT INTO "edges" VALUES(19,'paper:kim2024tuned','model:llava','studies');
INSERT INTO "edges" VALUES(20,'paper:kim2024tuned','paper:belrose2023eliciting','cites');
INSERT INTO "edges" VALUES(21,'paper:kim2024tuned','paper:doe2024probing','cites');
INSERT INTO "edges" VALUES(22,'paper:kim2024tuned','paper:doe2024probing','relation:improves-on');
INSERT INTO "edges" VALUES(23,'paper:kim2024tuned','paper:muller2022clip','cites');
INSERT INTO "edges" VALUES(24,'paper:lee2023measuring','category:data.input-output','in_category');
INSERT INTO "edges" VALUES(25,'paper:lee2023measuring','method:hallucination-benchmark','uses');
INSERT INTO "edges" VALUES(26,'paper:lee2023measuring','method:perturbation','uses');
INSERT INTO "edges" VALUES(27,'paper:lee2023measuring','modality:image','studies');
INSERT INTO "edges" VALUES(28,'paper:lee2023measuring','modality:text','studies');
INSERT INTO "edges" VALUES(29,'paper:lee2023measuring','model:llava','studies');
INSERT INTO "edges" VALUES(30,'paper:lee2023measuring','paper:belrose2023eliciting','cites');
INSERT INTO "edges" VALUES(31,'paper:muller2022clip','category:model.neuron','in_category');
INSERT INTO "edges" VALUES(32,'paper:muller2022clip','method:logit-lens','uses');
INSERT INTO "edges" VALUES(33,'paper:muller2022clip','method:perturbation','uses');
INSERT INTO "edges" VALUES(34,'paper:muller2022clip','modality:image','studies');
INSERT INTO "edges" VALUES(35,'paper:muller2022clip','modality:text','studies');
INSERT INTO "edges" VALUES(36,'paper:muller2022clip','model:blip-2','studies');
INSERT INTO "edges" VALUES(37,'paper:smith2021notes','category:data.input-output','in_category');
INSERT INTO "edges" VALUES(38,'paper:smith2021notes','method:perturbation','uses');
INSERT INTO "edges" VALUES(39,'paper:smith2021notes','modality:image','studies');
CREATE TABLE findings (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, text TEXT NOT NULL,
  "where" TEXT, PRIMARY KEY (paper_id, position));
INSERT INTO "findings" VALUES('belrose2023eliciting',0,'Translators make early-layer readings more faithful than the logit lens.','Section 3');
INSERT INTO "findings" VALUES('doe2024probing',0,'Object names become decodable from image tokens in the middle layers.','Figure 2');
INSERT INTO "findings" VALUES('doe2024probing',1,'Removing the decodable tokens lowers accuracy.',NULL);
INSERT INTO "findings" VALUES('kim2024tuned',0,'Tuned lenses decode object names two layers earlier than the logit lens.',NULL);
INSERT INTO "findings" VALUES('lee2023measuring',0,'LLaVA affirms absent objects in a third of the questions.','Section 4');
INSERT INTO "findings" VALUES('lee2023measuring',1,'Perturbing the image barely changes those answers.',NULL);
INSERT INTO "findings" VALUES('muller2022clip',0,'Units that fire on written words respond to $x^2$ and 100% of tags in ~50 images.','Table 1');
INSERT INTO "findings" VALUES('smith2021notes',0,'Masking with the dataset mean changes answers less than masking with black patches.',NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('format','mllm-xai-kb/1');
CREATE TABLE method_extends (
  method_id TEXT NOT NULL REFERENCES methods(id), position INTEGER NOT NULL,
  parent_id TEXT NOT NULL REFERENCES methods(id), PRIMARY KEY (method_id, position));
INSERT INTO "method_extends" VALUES('tuned-lens',0,'logit-lens');
CREATE TABLE method_notes (
  method_id TEXT NOT NULL REFERENCES methods(id),
  kind TEXT NOT NULL CHECK (kind IN ('strength', 'limitation')), position INTEGER NOT NULL,
  text TEXT NOT NULL, PRIMARY KEY (method_id, kind, position));
INSERT INTO "method_notes" VALUES('logit-lens','strength',0,'Cheap.');
INSERT INTO "method_notes" VALUES('tuned-lens','strength',0,'Faithful in early layers.');
INSERT INTO "method_notes" VALUES('perturbation','strength',0,'Query access suffices.');
INSERT INTO "method_notes" VALUES('hallucination-benchmark','strength',0,'Comparable.');
INSERT INTO "method_notes" VALUES('logit-lens','limitation',0,'Unreliable in early layers.');
INSERT INTO "method_notes" VALUES('tuned-lens','limitation',0,'Needs training.');
INSERT INTO "method_notes" VALUES('perturbation','limitation',0,'Off-distribution inputs.');
INSERT INTO "method_notes" VALUES('hallucination-benchmark','limitation',0,'Fixed data.');
CREATE TABLE methods (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  access TEXT NOT NULL, scope TEXT NOT NULL, stage TEXT NOT NULL, granularity TEXT NOT NULL,
  introduced_by TEXT REFERENCES papers(id));
INSERT INTO "methods" VALUES('logit-lens',0,'Logit lens','Decode hidden states with the unembedding.','white-box','local','post-hoc','layer',NULL);
INSERT INTO "methods" VALUES('tuned-lens',1,'Tuned lens','Learned translators before decoding.','white-box','local','post-hoc','layer','belrose2023eliciting');
INSERT INTO "methods" VALUES('perturbation',2,'Perturbation','Mask inputs and watch the output.','black-box','local','post-hoc','input',NULL);
INSERT INTO "methods" VALUES('hallucination-benchmark',3,'Hallucination benchmark','Measure unsupported statements.','black-box','global','post-hoc','model',NULL);
CREATE TABLE metrics (
  benchmark_id TEXT NOT NULL REFERENCES benchmarks(id), position INTEGER NOT NULL,
  id TEXT NOT NULL, name TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN
  ('higher', 'lower')), min REAL, max REAL, PRIMARY KEY (benchmark_id, id));
INSERT INTO "metrics" VALUES('fixture-bench',0,'accuracy','Accuracy','higher',0.0,100.0);
INSERT INTO "metrics" VALUES('fixture-bench',1,'errors','Errors','lower',0.0,NULL);
CREATE TABLE modalities (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL);
INSERT INTO "modalities" VALUES('image',0,'Image','Still images.');
INSERT INTO "modalities" VALUES('text',1,'Text','Prompts and answers.');
INSERT INTO "modalities" VALUES('video',2,'Video','Frame sequences.');
CREATE TABLE model_sources (
  model_id TEXT NOT NULL REFERENCES models(id), position INTEGER NOT NULL, url TEXT NOT NULL,
  PRIMARY KEY (model_id, position));
CREATE TABLE models (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, organisation TEXT,
  year INTEGER, vision_encoder TEXT, connector TEXT, language_model TEXT, url TEXT);
INSERT INTO "models" VALUES('llava',0,'LLaVA','Example University',2023,NULL,NULL,NULL,NULL);
INSERT INTO "models" VALUES('blip-2',1,'BLIP-2',NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE nodes (id TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL);
INSERT INTO "nodes" VALUES('category:data.benchmark','category','Benchmarks');
INSERT INTO "nodes" VALUES('category:data.input-output','category','Input and output attribution');
INSERT INTO "nodes" VALUES('category:model.layer','category','Layer level');
INSERT INTO "nodes" VALUES('category:model.neuron','category','Neuron level');
INSERT INTO "nodes" VALUES('method:hallucination-benchmark','method','Hallucination benchmark');
INSERT INTO "nodes" VALUES('method:logit-lens','method','Logit lens');
INSERT INTO "nodes" VALUES('method:perturbation','method','Perturbation');
INSERT INTO "nodes" VALUES('method:tuned-lens','method','Tuned lens');
INSERT INTO "nodes" VALUES('modality:image','modality','Image');
INSERT INTO "nodes" VALUES('modality:text','modality','Text');
INSERT INTO "nodes" VALUES('modality:video','modality','Video');
INSERT INTO "nodes" VALUES('model:blip-2','model','BLIP-2');
INSERT INTO "nodes" VALUES('model:llava','model','LLaVA');
INSERT INTO "nodes" VALUES('paper:belrose2023eliciting','paper','belrose2023eliciting');
INSERT INTO "nodes" VALUES('paper:doe2024probing','paper','doe2024probing');
INSERT INTO "nodes" VALUES('paper:kim2024tuned','paper','kim2024tuned');
INSERT INTO "nodes" VALUES('paper:lee2023measuring','paper','lee2023measuring');
INSERT INTO "nodes" VALUES('paper:muller2022clip','paper','muller2022clip');
INSERT INTO "nodes" VALUES('paper:smith2021notes','paper','smith2021notes');
CREATE TABLE paper_authors (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  author_id INTEGER NOT NULL REFERENCES authors(id), PRIMARY KEY (paper_id, position));
INSERT INTO "paper_authors" VALUES('belrose2023eliciting',0,8);
INSERT INTO "paper_authors" VALUES('belrose2023eliciting',1,10);
INSERT INTO "paper_authors" VALUES('belrose2023eliciting',2,5);
INSERT INTO "paper_authors" VALUES('doe2024probing',0,2);
INSERT INTO "paper_authors" VALUES('doe2024probing',1,12);
INSERT INTO "paper_authors" VALUES('kim2024tuned',0,3);
INSERT INTO "paper_authors" VALUES('lee2023measuring',0,7);
INSERT INTO "paper_authors" VALUES('lee2023measuring',1,9);
INSERT INTO "paper_authors" VALUES('muller2022clip',0,4);
INSERT INTO "paper_authors" VALUES('muller2022clip',1,6);
INSERT INTO "paper_authors" VALUES('muller2022clip',2,11);
INSERT INTO "paper_authors" VALUES('smith2021notes',0,1);
CREATE TABLE paper_categories (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  category_id TEXT NOT NULL REFERENCES categories(id), PRIMARY KEY (paper_id, position));
INSERT INTO "paper_categories" VALUES('belrose2023eliciting',0,'model.layer');
INSERT INTO "paper_categories" VALUES('doe2024probing',0,'model.layer');
INSERT INTO "paper_categories" VALUES('doe2024probing',1,'model.neuron');
INSERT INTO "paper_categories" VALUES('kim2024tuned',0,'model.layer');
INSERT INTO "paper_categories" VALUES('lee2023measuring',0,'data.input-output');
INSERT INTO "paper_categories" VALUES('muller2022clip',0,'model.neuron');
INSERT INTO "paper_categories" VALUES('smith2021notes',0,'data.input-output');
CREATE TABLE paper_methods (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  method_id TEXT NOT NULL REFERENCES methods(id), PRIMARY KEY (paper_id, position));
INSERT INTO "paper_methods" VALUES('belrose2023eliciting',0,'tuned-lens');
INSERT INTO "paper_methods" VALUES('belrose2023eliciting',1,'logit-lens');
INSERT INTO "paper_methods" VALUES('doe2024probing',0,'logit-lens');
INSERT INTO "paper_methods" VALUES('kim2024tuned',0,'tuned-lens');
INSERT INTO "paper_methods" VALUES('lee2023measuring',0,'hallucination-benchmark');
INSERT INTO "paper_methods" VALUES('lee2023measuring',1,'perturbation');
INSERT INTO "paper_methods" VALUES('muller2022clip',0,'perturbation');
INSERT INTO "paper_methods" VALUES('muller2022clip',1,'logit-lens');
INSERT INTO "paper_methods" VALUES('smith2021notes',0,'perturbation');
CREATE TABLE paper_modalities (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  modality_id TEXT NOT NULL REFERENCES modalities(id), PRIMARY KEY (paper_id, position));
INSERT INTO "paper_modalities" VALUES('belrose2023eliciting',0,'text');
INSERT INTO "paper_modalities" VALUES('doe2024probing',0,'image');
INSERT INTO "paper_modalities" VALUES('doe2024probing',1,'text');
INSERT INTO "paper_modalities" VALUES('kim2024tuned',0,'image');
INSERT INTO "paper_modalities" VALUES('kim2024tuned',1,'text');
INSERT INTO "paper_modalities" VALUES('lee2023measuring',0,'image');
INSERT INTO "paper_modalities" VALUES('lee2023measuring',1,'text');
INSERT INTO "paper_modalities" VALUES('muller2022clip',0,'image');
INSERT INTO "paper_modalities" VALUES('muller2022clip',1,'text');
INSERT INTO "paper_modalities" VALUES('smith2021notes',0,'image');
CREATE TABLE paper_models (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  model_id TEXT NOT NULL REFERENCES models(id), PRIMARY KEY (paper_id, position));
INSERT INTO "paper_models" VALUES('doe2024probing',0,'llava');
INSERT INTO "paper_models" VALUES('kim2024tuned',0,'llava');
INSERT INTO "paper_models" VALUES('lee2023measuring',0,'llava');
INSERT INTO "paper_models" VALUES('muller2022clip',0,'blip-2');
CREATE TABLE paper_notes (
  paper_id TEXT NOT NULL REFERENCES papers(id),
  kind TEXT NOT NULL CHECK (kind IN ('strength', 'limitation')), position INTEGER NOT NULL,
  text TEXT NOT NULL, PRIMARY KEY (paper_id, kind, position));
INSERT INTO "paper_notes" VALUES('belrose2023eliciting','strength',0,'Works across model families.');
INSERT INTO "paper_notes" VALUES('doe2024probing','strength',0,'Needs no training.');
INSERT INTO "paper_notes" VALUES('doe2024probing','strength',1,'Covers every layer.');
INSERT INTO "paper_notes" VALUES('kim2024tuned','strength',0,'Faithful in early layers.');
INSERT INTO "paper_notes" VALUES('lee2023measuring','strength',0,'Targets one failure precisely.');
INSERT INTO "paper_notes" VALUES('muller2022clip','strength',0,'Cheap: needs only forward passes & masks.');
INSERT INTO "paper_notes" VALUES('smith2021notes','strength',0,'Easy to follow.');
INSERT INTO "paper_notes" VALUES('belrose2023eliciting','limitation',0,'Needs a translator per layer.');
INSERT INTO "paper_notes" VALUES('doe2024probing','limitation',0,'Only one model.');
INSERT INTO "paper_notes" VALUES('kim2024tuned','limitation',0,'Needs a translator per layer.');
INSERT INTO "paper_notes" VALUES('lee2023measuring','limitation',0,'Small question set.');
INSERT INTO "paper_notes" VALUES('muller2022clip','limitation',0,'Only one encoder {size}.');
INSERT INTO "paper_notes" VALUES('smith2021notes','limitation',0,'No quantitative evaluation.');
CREATE TABLE paper_properties (
  paper_id TEXT NOT NULL REFERENCES papers(id), property_id TEXT NOT NULL
  REFERENCES properties(id), value TEXT NOT NULL, "where" TEXT,
  PRIMARY KEY (paper_id, property_id));
INSERT INTO "paper_properties" VALUES('belrose2023eliciting','code-released','true',NULL);
INSERT INTO "paper_properties" VALUES('belrose2023eliciting','training-free','false',NULL);
INSERT INTO "paper_properties" VALUES('doe2024probing','code-released','true',NULL);
INSERT INTO "paper_properties" VALUES('doe2024probing','compute-cost','"low"',NULL);
INSERT INTO "paper_properties" VALUES('doe2024probing','training-free','true','Section 3');
INSERT INTO "paper_properties" VALUES('kim2024tuned','code-released','false',NULL);
INSERT INTO "paper_properties" VALUES('kim2024tuned','training-free','false',NULL);
CREATE TABLE paper_sources (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, url TEXT NOT NULL,
  PRIMARY KEY (paper_id, position));
INSERT INTO "paper_sources" VALUES('belrose2023eliciting',0,'https://arxiv.org/abs/2303.08112');
INSERT INTO "paper_sources" VALUES('doe2024probing',0,'https://arxiv.org/abs/2406.00001');
INSERT INTO "paper_sources" VALUES('kim2024tuned',0,'https://arxiv.org/abs/2402.00004');
INSERT INTO "paper_sources" VALUES('lee2023measuring',0,'https://arxiv.org/abs/2305.00003');
INSERT INTO "paper_sources" VALUES('muller2022clip',0,'https://arxiv.org/abs/2201.00002');
INSERT INTO "paper_sources" VALUES('smith2021notes',0,'https://blog.example.org/perturbation_maps?x=1&y=2');
CREATE TABLE papers (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER NOT NULL,
  venue TEXT NOT NULL REFERENCES venues(id), kind TEXT NOT NULL, entry_type TEXT, arxiv TEXT,
  doi TEXT, url TEXT, code TEXT, category TEXT NOT NULL REFERENCES categories(id),
  summary TEXT NOT NULL, added TEXT, tldr TEXT);
INSERT INTO "papers" VALUES('belrose2023eliciting','Eliciting Latent Predictions from Transformers with the Tuned Lens',2023,'arxiv','foundation',NULL,'2303.08112',NULL,NULL,NULL,'model.layer','A fixture record used by the test suite. It trains a small affine translator for every layer of a language model so that hidden states can be decoded into next-token predictions, and compares those readings with the plain logit lens across model families and sizes. The words here only need to be long enough to pass the summary length warning, which asks for sixty words or more in every summary of the knowledge base.','2026-11-23',NULL);
INSERT INTO "papers" VALUES('doe2024probing','Probing Vision-Language Layers: A Fixture',2024,'neurips','research',NULL,'2406.00001','10.48550/arXiv.2406.00001',NULL,'https://github.com/example/fixture','model.layer','A second fixture record for the test suite. It applies the logit lens to the visual token positions of a LLaVA model and reports at which depth object names become decodable from image tokens, then tests whether removing those tokens changes the answers. The text is deliberately plain and made up; it exists so that the validator, the formatter and the exporters have a realistic record with a citation to work on.','2026-11-23','Logit-lens readings of LLaVA''s image tokens name objects from the middle layers on.');
INSERT INTO "papers" VALUES('kim2024tuned','Tuned Lenses for Multimodal Models',2024,'arxiv','research','article','2402.00004',NULL,NULL,NULL,'model.layer','A fixture record whose entry type is set by hand. It trains tuned-lens translators on the visual token positions of a multimodal model and compares the decoded predictions with the plain logit lens at every depth. The record sets entry_type to article although its venue is arXiv, the form some researchers prefer, so that the exporter follows the record rather than the venue kind, and it extends the logit-lens family through the tuned lens.','2026-11-23','Tuned lenses trained for a multimodal model read its image tokens more reliably than the identity lens.');
INSERT INTO "papers" VALUES('lee2023measuring','Measuring Hallucination in LLaVA with a Workshop Benchmark',2023,'xai-ws','research',NULL,'2305.00003',NULL,NULL,NULL,'data.input-output','A fixture record of a workshop paper. It proposes a small benchmark of questions about objects that are absent from the image, asks LLaVA about them, and measures how often the model claims to see the object. It then perturbs the images to test whether the hallucinations follow the visual evidence or the language prior. The record gives the exporters a workshop venue, whose BibTeX entry type is inproceedings with the workshop''s full name as booktitle.','2026-11-23',NULL);
INSERT INTO "papers" VALUES('muller2022clip','CLIP Neurons in 3D: Müller''s {Unbalanced 50% Study of #Tags & C_x',2022,'tmlr','research',NULL,'2201.00002','10.1234/tmlr_2022.7',NULL,NULL,'model.neuron','A fixture record with hostile text for the exporters. It masks regions of images and reads the neurons of a CLIP-style encoder with a lens, reporting which units respond to text in images. The title carries an unbalanced brace, a percent sign, a hash, an ampersand and an underscore, and the authors carry accents, so that escaping for BibTeX, LaTeX and Markdown is exercised on every path: \input{/etc/passwd} must print, never run.','2026-11-23',NULL);
INSERT INTO "papers" VALUES('smith2021notes','Notes on Perturbation Maps for Vision-Language Models',2021,'blog','research',NULL,NULL,NULL,'https://blog.example.org/perturbation_maps?x=1&y=2',NULL,'data.input-output','A fixture record of online material. It explains how occlusion and perturbation maps are computed for vision-language models, walks through three worked examples with captioning models, and discusses why masked inputs fall off the training distribution. The post exists in the fixture so that the exporters have a record of the online kind, with a URL that holds an ampersand and an underscore, and without any arXiv identifier or DOI.','2026-11-23',NULL);
CREATE TABLE properties (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, question TEXT NOT NULL,
  description TEXT NOT NULL, when_yes TEXT, when_no TEXT, open_problem INTEGER);
INSERT INTO "properties" VALUES('training-free',0,'Training-free','Does the method work without training anything?','A made-up property of the test fixture.','can be applied without training anything','must train a translator or probe',NULL);
INSERT INTO "properties" VALUES('code-released',1,'Code released','Is the code public?','A property whose "no" the survey counts as an open problem.','can be rerun from public code','cannot be rerun from public code',0);
INSERT INTO "properties" VALUES('compute-cost',2,'Compute cost','How much compute does the method add?','A property with classes instead of yes, no and partial.',NULL,NULL,NULL);
CREATE TABLE property_answers (
  property_id TEXT NOT NULL REFERENCES properties(id), position INTEGER NOT NULL,
  answer TEXT NOT NULL, PRIMARY KEY (property_id, position));
INSERT INTO "property_answers" VALUES('compute-cost',0,'low');
INSERT INTO "property_answers" VALUES('compute-cost',1,'high');
CREATE TABLE relations (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL, type TEXT NOT NULL,
  target_id TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (paper_id, position));
INSERT INTO "relations" VALUES('doe2024probing',0,'extends','belrose2023eliciting','Applies the translator idea to image tokens.');
INSERT INTO "relations" VALUES('kim2024tuned',0,'improves-on','doe2024probing','Reads image tokens more reliably than the plain lens of the earlier record.');
CREATE TABLE results (
  paper_id TEXT NOT NULL REFERENCES papers(id), position INTEGER NOT NULL,
  benchmark_id TEXT NOT NULL REFERENCES benchmarks(id), metric TEXT NOT NULL,
  model_id TEXT NOT NULL REFERENCES models(id), setting TEXT, value NOT NULL, baseline,
  "where" TEXT NOT NULL, PRIMARY KEY (paper_id, position));
INSERT INTO "results" VALUES('doe2024probing',0,'fixture-bench','accuracy','llava','adversarial split',85.25,80,'Table 2');
INSERT INTO "results" VALUES('doe2024probing',1,'fixture-bench','errors','llava',NULL,12,NULL,'Table 3');
CREATE TABLE screened_lists (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, url TEXT, description TEXT);
CREATE TABLE survey_texts (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, overview TEXT NOT NULL);
INSERT INTO "survey_texts" VALUES('survey',0,'Explainability of multimodal models, a fixture survey','Lenses read what each layer predicts [@belrose2023eliciting; @kim2024tuned], and probing the image tokens of a multimodal model shows where object names appear [@doe2024probing].');
CREATE TABLE venues (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, "full" TEXT NOT NULL,
  kind TEXT NOT NULL);
INSERT INTO "venues" VALUES('arxiv',0,'arXiv','arXiv preprint','preprint');
INSERT INTO "venues" VALUES('neurips',1,'NeurIPS','Advances in Neural Information Processing Systems','conference');
INSERT INTO "venues" VALUES('tmlr',2,'TMLR','Transactions on Machine Learning Research','journal');
INSERT INTO "venues" VALUES('xai-ws',3,'XAI Workshop','Proceedings of the Workshop on Explainable AI & Vision','workshop');
INSERT INTO "venues" VALUES('blog',4,'Blog','The Example Interpretability Blog','online');
CREATE INDEX edges_source ON edges(source);
CREATE INDEX edges_target ON edges(target);
COMMIT;
